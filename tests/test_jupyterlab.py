"""A released exercise in JupyterLab 4, as a student meets it, in headless Chromium.

JupyterLab is started from this environment on localhost with a copy of
exercises/a1_rnn/rnn_from_scratch.ipynb (and the course's nbgrader_config.py, as in a clone
of the repository). The test checks that nbgrader's assignment tools load (the Validate
button), answers the first exercise in the browser, runs every cell and validates — once with
a correct answer (validation succeeds) and once with a wrong one (the visible test's message
shows under the cell and in the validation report). The other exercises are answered on disk
beforehand with the instructor's solutions, so that validation judges exactly the typed cell.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from book_site import CHROMIUM, CHROMIUM_ARGS, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]

ASSIGNMENT, NOTEBOOK = "a1_rnn", "rnn_from_scratch.ipynb"
TYPED = "one_hot"  # the grade_id of the answer typed in the browser
CORRECT = """def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError("index out of range")
    return np.eye(vocab_size)[indices]
"""
WRONG = """def one_hot(indices, vocab_size):
    return np.zeros(np.shape(indices) + (vocab_size,))
"""
# What the visible test prints about the wrong answer above (its assert_close `name=`).
WRONG_MESSAGE = "one_hot(...)[2], the first 'l'"
START_TIMEOUT_S = 120  # JupyterLab starts in ~5 s; a loaded CI machine can take much longer
RUN_TIMEOUT_MS = 120_000  # running every cell of a1_rnn takes a few seconds
UI_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _solved_elsewhere(release: Path, solution: Path) -> None:
    """Fill every answer cell except TYPED with the instructor's solution (markers removed)."""
    answers = {}
    for cell in json.loads(solution.read_text(encoding="utf-8"))["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            source = "".join(cell["source"])
            answers[meta["grade_id"]] = "\n".join(
                line
                for line in source.splitlines()
                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    notebook = json.loads(release.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution") and grade_id != TYPED:
            cell["source"] = answers[grade_id]
    release.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a student's folder; yields (base URL with token, notebook path)."""
    home = tmp_path_factory.mktemp("student")
    work = home / "course"
    (work / ASSIGNMENT).mkdir(parents=True)
    notebook = work / ASSIGNMENT / NOTEBOOK
    shutil.copy(ROOT / "exercises" / ASSIGNMENT / NOTEBOOK, notebook)
    shutil.copy(ROOT / "nbgrader_config.py", work / "nbgrader_config.py")
    _solved_elsewhere(notebook, ROOT / "solutions" / ASSIGNMENT / NOTEBOOK)

    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        HOME=str(home),  # no reader's settings, workspaces or kernels leak in or out
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
    )
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
    ]
    if os.geteuid() == 0:  # containers and CI often run as root, which Jupyter refuses by default
        command.append("--allow-root")
    # no "notify me about Jupyter news?" prompt over the notebook (it would fetch from the web)
    settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    log = home / "lab.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urlopen(f"{base}api/status?token={token}", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except (URLError, ConnectionError, TimeoutError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token, notebook, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def page(lab):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    base, token, notebook, _ = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(UI_TIMEOUT_MS)
        context.route(
            "**/*",
            lambda route, request: (
                route.continue_()
                if urlsplit(request.url).hostname in ("127.0.0.1", "localhost")
                else route.abort()
            ),
        )
        tab = context.new_page()
        relative = notebook.relative_to(notebook.parent.parent).as_posix()
        tab.goto(f"{base}lab/tree/{relative}?token={token}&reset")
        tab.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        tab.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=RUN_TIMEOUT_MS)
        try:
            yield tab
        finally:
            browser.close()


def _answer(tab, code: str) -> None:
    """Replace the TYPED answer cell's code by ``code``, as a student would, and save."""
    cell = tab.locator(".jp-CodeCell", has_text=f"def {TYPED}(").first
    editor = cell.locator(".cm-content")
    editor.click()
    tab.keyboard.press("Control+A")
    tab.keyboard.press("Delete")
    tab.keyboard.insert_text(code)
    tab.keyboard.press("Escape")
    tab.keyboard.press("Control+S")
    tab.wait_for_function("() => !document.title.startsWith('*')")


# True once a run of every cell has finished: no cell queued or running, and either a cell
# failed (Run All stops there) or the last code cell ran with the last execution count.
RUN_FINISHED_JS = """
() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
      .map(p => p.textContent.trim());
  if (prompts.some(p => p.includes('*'))) return false;
  const error = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']";
  if (document.querySelector(error)) return true;
  return prompts.length > 0 && prompts[prompts.length - 1] === `[${prompts.length}]:`;
}
"""


def _menu(tab, menu: str, item: str) -> None:
    tab.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    tab.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def _run_all(tab) -> None:
    """Restart the kernel and clear every output, then Run All Cells and wait for the end."""
    _menu(tab, "Kernel", "Restart Kernel and Clear Outputs of All Cells")
    tab.locator(".jp-Dialog-button.jp-mod-accept").click()  # "Restart"
    tab.wait_for_function(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
        ".every(p => !/[0-9*]/.test(p.textContent))"
    )
    tab.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=RUN_TIMEOUT_MS)
    _menu(tab, "Run", "Run All Cells")
    tab.wait_for_function(RUN_FINISHED_JS, timeout=RUN_TIMEOUT_MS)


def _validate(tab) -> str:
    """Press Validate; return the text of nbgrader's report dialog (and close it)."""
    tab.locator(".validate-button").click()
    dialog = tab.locator(".jp-Dialog-content")
    dialog.wait_for(timeout=RUN_TIMEOUT_MS)
    text = dialog.inner_text()
    if os.environ.get("COURSE_SCREENSHOTS"):  # a folder to keep what the student saw
        shots = Path(os.environ["COURSE_SCREENSHOTS"])
        shots.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(shots / f"jupyterlab-validate-{len(list(shots.glob('jupyterlab-*')))}.png"))
    dialog.locator(".jp-Dialog-button").last.click()
    dialog.wait_for(state="detached")
    return text


def _errors(tab) -> list[str]:
    return tab.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_text_contents()


def test_nbgrader_assignment_tools_load(page):
    button = page.locator(".validate-button")
    button.wait_for()
    assert button.inner_text().strip() == "Validate"


def test_a_correct_answer_runs_and_validates(page):
    _answer(page, CORRECT)
    _run_all(page)
    assert not _errors(page), f"a correct notebook raised: {_errors(page)[:1]}"
    report = _validate(page)
    assert "Success" in report and "passes all the tests" in report, report


def test_a_wrong_answer_shows_the_visible_tests_message(page):
    _answer(page, WRONG)
    _run_all(page)
    errors = _errors(page)
    shown = f"AssertionError: {WRONG_MESSAGE}"  # the message itself, not the test's source
    assert errors and shown in errors[0], f"the student should see {WRONG_MESSAGE!r} under the test: {errors}"
    report = _validate(page)
    assert "failed" in report.lower() and shown in report, report
