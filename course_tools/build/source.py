"""Authoring scripts to source notebooks: ``course build-source``.

An authoring script ``authoring/A/NB.py`` (jupytext percent format, nbgrader metadata on the
cell markers) becomes ``solutions/A/NB.ipynb``, normalised (:mod:`course_tools.build.notebook`),
so rebuilding an unchanged script changes no byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from course_tools.build.colab import install_cell
from course_tools.build.notebook import normalise

# The cell build-source puts after each notebook's title: installs course_lib when the notebook
# runs on Colab (the exercise pages' Colab button), does nothing anywhere else, graded or not.
COLAB_CELL_ID = "colab_setup"


def colab_cell(root: Path) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(install_cell(root))
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": COLAB_CELL_ID,
        "locked": True,
        "schema_version": 3,
        "solution": False,
    }
    return cell


def script_to_notebook(script: Path, root: Path | None = None) -> nbformat.NotebookNode:
    """The source notebook of ``authoring/A/NB.py``, with the Colab cell after its title."""
    import jupytext  # only authors need it

    root = root or script.resolve().parents[2]
    nb = jupytext.read(script, fmt="py:percent")
    title = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
    nb.cells.insert(title, colab_cell(root))
    return normalise(nb, name=f"{script.parent.name}/{script.stem}")


def target_of(root: Path, script: Path) -> Path:
    """``authoring/A/NB.py`` -> ``solutions/A/NB.ipynb``."""
    return root / "solutions" / script.parent.name / f"{script.stem}.ipynb"


def build_source(root: Path, scripts: list[Path], *, check: bool = False) -> list[Path]:
    """Write (or with ``check``, compare) each script's notebook; return the stale ones."""
    stale = []
    for script in scripts:
        script = script.resolve()
        if script.suffix != ".py" or not script.is_file():
            raise SystemExit(f"build-source: {script} is not an authoring script (authoring/A/NB.py)")
        target = target_of(root, script)
        text = nbformat.writes(script_to_notebook(script, root)) + "\n"
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            stale.append(target)
            if check:
                print(
                    f"out of date: {target.relative_to(root)} (run course build-source {script.name})",
                    file=sys.stderr,
                )
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                print(f"wrote {target.relative_to(root)}", file=sys.stderr)
    return stale
