"""``python -m course_tools`` is the same as the ``course`` command."""
from course_tools.cli import main

raise SystemExit(main())
