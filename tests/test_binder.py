"""The Binder environment in binder/ (repo2docker cannot run here; these check what it reads):
the project's Python, the course installed with its pins and PyTorch's CPU build, jupytext, and
a postBuild that makes JupyterLab open the Markdown chapters as notebooks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def _requirements() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def test_runtime_is_a_python_the_project_supports():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime.startswith("python-")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert runtime.removeprefix("python-") + ".0" in SpecifierSet(project["requires-python"])


def test_requirements_install_the_course_with_its_pins_and_jupytext():
    lines = _requirements()
    # repo2docker runs pip from the repository's root; -c is relative to this file's folder.
    assert "." in lines, "the course itself (course_lib and its dependencies)"
    constraints = [line.split(None, 1)[1] for line in lines if line.startswith("-c ")]
    assert constraints and (BINDER / constraints[0]).resolve() == ROOT / "constraints.txt"
    assert "jupytext" in lines
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines


def test_post_build_makes_markdown_open_as_a_notebook(tmp_path):
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only if it is executable"
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"  # the venv's jupytext-config
    env = dict(os.environ, NB_PYTHON_PREFIX=str(tmp_path), PATH=path)
    subprocess.run([str(post_build)], cwd=ROOT, env=env, check=True, capture_output=True)
    settings = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides = json.loads(settings.read_text(encoding="utf-8"))
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
