"""``python -m course_lib`` is the same as the ``course`` command."""
from course_lib.cli.main import main

raise SystemExit(main())
