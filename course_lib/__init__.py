"""Recurrent networks to attention: the course's shared code.

Importing this package has no side effects: no seeding, no rcParams, no downloads.
Reference implementations live in :mod:`course_lib.numpy_nn` (from-scratch NumPy,
forward/backward pairs) and :mod:`course_lib.torch_nn` (the same math as ``nn.Module``\\ s);
:mod:`course_lib.grading` holds the checkers that tests and notebooks share. The
instructor and build toolkit is the separate package ``course_tools``, which this one never imports.
"""

__version__ = "0.1.0"
