"""Every training loop of the course and its helpers, one concept per module.

- :mod:`~course_lib.training.loop` — :func:`fit`, the general loop (progress bar, returned
  :class:`History`), which the other loops call or mirror.
- :mod:`~course_lib.training.classification` — sequence classifiers: mini-batches of padded
  ids and lengths, evaluation, early stopping by validation accuracy (chapters 5 and 6).
- :mod:`~course_lib.training.char_lm` — character language models: streams, truncated
  backpropagation through time, bits per character, checkpoints (chapter 7).
- :mod:`~course_lib.training.transformer_lm` — a Transformer language model: random windows,
  AdamW with warm-up and cosine decay, windowed evaluation, sampling, checkpoints (chapter 10).
- :mod:`~course_lib.training.checkpoint` — the checkpoint file both language models share:
  save, load, and train-or-reuse.
"""

from course_lib.training.loop import History, fit

__all__ = ["History", "fit"]
