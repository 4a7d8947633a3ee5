"""A correct answer passes nbgrader's Validate, the button students press before submitting.

Validate runs the whole notebook (hidden tests included, in the source notebook) in one kernel
and counts a test cell as failed when it raises *or writes anything to stderr*; a library
warning printed by a correct model (PyTorch's oneDNN notice for an LSTM with a projection, in
a3) once made a correct notebook "fail". Every solution notebook must pass.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_tools.build.nbgrader_run import environment

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("notebook", SOLUTIONS, ids=[p.parent.name for p in SOLUTIONS])
def test_solution_passes_validate(notebook, tmp_path):
    copy = tmp_path / notebook.name  # Validate may write next to the notebook; keep the repository clean
    shutil.copy(notebook, copy)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(copy)], cwd=tmp_path,
                            env=environment(), capture_output=True, text=True, timeout=600)
    report = result.stdout + result.stderr
    assert "Success! Your notebook passes all the tests." in report, report[-4000:]
    assert "VALIDATION FAILED" not in report, report[-4000:]
