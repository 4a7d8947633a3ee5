"""The instructor's and the build's toolkit: the ``course`` command, its grader and build tools.

``course_lib`` is what students, readers and the sandbox import; this package sits beside it and
is never imported by it. Its parts, by trust side:

- :mod:`course_tools.cli` — the ``course`` command line (``python -m course_tools``).
- :mod:`course_tools.build` — authoring scripts → ``solutions/``, the release, the chapters'
  Colab notebooks and the book's execution cache (two Sphinx extensions).
- :mod:`course_tools.grader.cohort` — the instructor's side of grading: LMS intake, the cohort
  run, merging shards, feedback pages.
- :mod:`course_tools.grader.judge` — the trusted judge that runs the hidden tests, and the
  sandbox it starts the worker in.
- :mod:`course_tools.grader.worker` — the sandboxed worker that runs a student's cells.
- :mod:`course_tools.grader.protocol` — what crosses between judge and worker, used by both.
"""
