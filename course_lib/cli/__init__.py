"""The instructor command line, ``course``: release, grade, and author notebooks.

Submodules import nbgrader and friends lazily, so ``course --help`` starts fast.
"""
