"""A hostile submission opened the way the README tells instructors to (a Jupyter server
in the class folder, the Formgrader tab) runs none of the student's script.

The student's answer cell displays HTML, SVG, Markdown and JavaScript whose script writes
a file through the Jupyter REST API with the instructor's session and leaves a marker in
the page; a scratch cell forges nbgrader metadata whose grade_id holds HTML. The class is
graded with `grade-class` (real kernels), served by a real `jupyter server` with token
auth, and every page that shows the student's work is loaded in headless Chromium.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.classroom.test_grade_class import CLI, NB, ON_TIME, _run
from tests.course_builder import (
    MAX_SCORE,
    MINI,
    SOLUTION,
    StudentRepo,
    build_course,
    student_notebook,
)

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
JUPYTER = Path(sys.executable).parent / "jupyter"
TOKEN = "instructor-token-0123456789abcdef"
STUDENT = "s00-evil"


def _script(tag: str) -> str:
    """What the student wants to run in the instructor's browser, as one JS expression."""
    js = (
        f"(window.__pwned=window.__pwned||[]).push('{tag}');document.title='PWNED {tag}';"
        "var m=document.cookie.match(/_xsrf=([^;]+)/);"
        f"fetch('/api/contents/PWNED-{tag}.txt',{{method:'PUT',credentials:'same-origin',"
        "headers:{'Content-Type':'application/json','X-XSRFToken':m?decodeURIComponent(m[1]):''},"
        "body:JSON.stringify({type:'file',format:'text',content:'pwned'})});"
    )
    # No space, no double quote: fits an unquoted HTML attribute and a Python string.
    return f"eval(atob('{base64.b64encode(js.encode()).decode()}'))"


def _hostile_answer() -> str:
    """The correct `add`, plus displays of every script-capable kind of output."""
    img = "<img src=x onerror={}>".format
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{_script("svg")}"><rect width="5" height="5"/></svg>'
    png = {"image/png": "iVBORw0KGgo=\"><" + img(_script("png"))[1:], "text/plain": "img"}
    widget = {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/html": img(_script("widget"))}
    lines = [
        "from IPython.display import HTML, SVG, Javascript, Markdown, display",
        f"display(HTML({img(_script('html-img'))!r}))",
        f"display(HTML({'<script>' + _script('html-script') + '</script>'!r}))",
        f"display(SVG({svg!r}))",
        f"display(Markdown({img(_script('markdown'))!r}))",
        f"display(Javascript({_script('js')!r}))",
        f"display({png!r}, raw=True)",
        f"display({widget!r}, raw=True)",
        f"HTML({img(_script('result'))!r})",
    ]
    return SOLUTION["add"] + "\n".join(lines) + "\n"


def _hostile_notebook() -> dict:
    nb = student_notebook({**SOLUTION, "add": _hostile_answer()})
    forged = {
        "cell_type": "code",
        "id": "note",
        "metadata": {
            "nbgrader": {
                "grade": False,
                # Short: nbio refuses a grade_id over 64 characters; this one is read.
                "grade_id": "n\"></textarea><img src=x onerror=__pwned=['grade-id']>",
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            },
            "tags": [f"<img src=x onerror={_script('tags')}>"],
        },
        "source": "NOTE = 1\n",
        "outputs": [],
        "execution_count": None,
    }
    scratch_md = {
        "cell_type": "markdown",
        "id": "scratch-md",
        "metadata": {},
        "source": f"<script>{_script('scratch-md')}</script>\n[clic](javascript:{_script('md-link')})",
        "attachments": {"x.svg": {"image/svg+xml": f"<svg onload=\"{_script('attachment')}\"/>"}},
    }
    nb["cells"][3:3] = [forged, scratch_md]
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}
    }
    return nb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str) -> object:
    req = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _wait_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            _api(base, "/api/status")
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    pytest.fail(f"jupyter server did not answer within 90 s:\n{log.read_text()[-3000:]}")


@contextmanager
def _jupyter_server(root: Path, scratch: Path) -> Iterator[str]:
    """A real `jupyter server` in `root` (the class folder), with token auth; its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
        "JUPYTER_CONFIG_DIR": str(scratch / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(scratch / "jupyter-data"),
    }
    log = scratch / "server.log"
    with open(log, "wb") as logf:
        server = subprocess.Popen(
            [
                str(JUPYTER), "server", "--no-browser", "--allow-root", f"--port={port}",
                "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
            ],
            cwd=root,
            env=env,
            stdout=logf,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_up(base, server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


def _skip_reason() -> str | None:
    if not (CHROMIUM and CHROMEDRIVER):
        return "chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -c constraints.txt -e '.[dev]')"
    if not JUPYTER.exists():
        return f"{JUPYTER} not found"
    return None


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("xss-class")
    course = build_course(root / "course").root
    repo = StudentRepo(root / "repos" / STUDENT)
    repo.commit({NB: student_notebook()}, "sujet", date="2026-11-20T09:00:00+01:00")
    repo.commit({NB: _hostile_notebook()}, "rendu", date=ON_TIME)
    roster = root / "roster.csv"
    roster.write_text(
        f"student_id,name,repo,branch,email\n{STUDENT},Eve Attaquante,{repo.path},main,eve@etu.example.fr\n",
        encoding="utf-8",
    )
    out = root / "class"
    _run(course, roster, out)
    return out


def test_hostile_outputs_keep_the_grade(hostile_class):
    with open(hostile_class / "grades.csv", encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert rows[STUDENT]["status"] == "graded"
    assert float(rows[STUDENT]["final_score"]) == MAX_SCORE


def test_formgrader_runs_no_student_script(hostile_class, tmp_path):
    out = hostile_class
    autograded = out / "autograded" / STUDENT / MINI / f"{MINI}.ipynb"
    assert autograded.is_file(), "grade-class did not place the executed notebook for formgrader"
    driver = None
    with _jupyter_server(out, tmp_path) as base:
        try:
            subs = _api(base, f"/formgrader/api/submitted_notebooks/{MINI}/{MINI}")
            ids = [s["id"] for s in subs if s.get("student") == STUDENT]
            assert ids, f"formgrader does not list the student's notebook: {subs}"
            pages = [
                f"/formgrader/submissions/{ids[0]}/",
                f"/formgrader/manage_submissions/{MINI}",
                f"/formgrader/gradebook/{MINI}/{MINI}",
                f"/formgrader/manage_students/{STUDENT}/{MINI}",
            ]
            driver = _browser(tmp_path / "chromium-profile")
            driver.set_page_load_timeout(60)
            driver.get(f"{base}/formgrader?token={TOKEN}")  # logs in: the instructor's session cookie
            seen: dict[str, object] = {}
            for page in pages:
                driver.get(base + page)
                time.sleep(2.0)  # onerror handlers and fetches run after load
                seen[page] = (driver.execute_script("return window.__pwned || null"), driver.title)
            driver.get(f"{base}/formgrader/submissions/{ids[0]}/")
            time.sleep(1.0)
            body = driver.page_source
            for name in ("feedback.html",):
                driver.get((out / "students" / STUDENT / "report" / name).as_uri())
                time.sleep(0.5)
                seen[name] = (driver.execute_script("return window.__pwned || null"), driver.title)
            driver.get((out / "summary.html").as_uri())
            time.sleep(0.5)
            seen["summary.html"] = (driver.execute_script("return window.__pwned || null"), driver.title)
            # Its Content-Security-Policy still lets the page show its own plots.
            shown = driver.execute_script("return [...document.images].map(i => i.naturalWidth > 0)")
        finally:
            if driver is not None:
                driver.quit()
    ran = {page: got for page, got in seen.items() if got[0] or "PWNED" in str(got[1])}
    assert shown and all(shown), f"summary.html plots not shown: {shown}"
    written = sorted(p.name for p in out.rglob("PWNED*"))
    assert not ran and not written, (
        f"the student's script ran in the instructor's browser: {ran}; files it wrote through the Jupyter API: {written}"
    )
    # The submission page did render the student's work (not an error page), with notes
    # where the outputs were.
    assert "output removed for safety" in body and "NOTE" in body, body[-3000:]


def _wait(driver, what: str, find, timeout: float = 60.0):
    """Poll `find()` until it returns something truthy (Formgrader fills its tables by JS)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = find()
        except Exception as exc:  # noqa: BLE001 - not there yet (stale or missing element)
            last = exc
        else:
            if last:
                return last
        time.sleep(0.5)
    pytest.fail(f"{what}: not seen in {timeout:g} s (last: {last!r}) on {driver.current_url}:\n{driver.page_source[-3000:]}")


def test_formgrader_review_of_a_moved_class_reaches_grades_csv(hostile_class, tmp_path):
    """The class folder unpacked elsewhere (a CI artifact), the original out of the way:
    Formgrader lists the assignment and the submission as graded, the instructor overrides
    `add` and comments on it in the browser, and `merge-class` puts both in grades.csv
    beside the automatic score."""
    from selenium.webdriver.common.by import By

    course = hostile_class.parent / "course"
    moved = tmp_path / "unpacked" / "class"
    shutil.copytree(hostile_class, moved)
    hidden = hostile_class.with_name("class-out-of-the-way")
    hostile_class.rename(hidden)
    driver = None
    comment = "Bonne idée, mais relisez l'énoncé"
    try:
        with _jupyter_server(moved, tmp_path) as base:
            try:
                driver = _browser(tmp_path / "chromium-profile")
                driver.set_page_load_timeout(60)
                driver.get(f"{base}/formgrader?token={TOKEN}")
                driver.get(f"{base}/formgrader/manage_assignments")
                _wait(driver, "the assignment's submissions link", lambda: driver.find_element(
                    By.CSS_SELECTOR, f"a[href$='/formgrader/manage_submissions/{MINI}']"))
                # No Release or Collect (no exchange); Generate stops before writing anything.
                assert not driver.find_elements(By.CSS_SELECTOR, ".glyphicon-cloud-upload, .glyphicon-cloud-download")
                driver.find_element(By.CSS_SELECTOR, ".glyphicon-education").click()
                _wait(driver, "Generate's error naming the reason", lambda: [
                    m for m in driver.find_elements(By.ID, "error-modal")
                    if "No notebooks were matched" in m.text and "graded-by-autograder" in m.text])
                assert not (moved / "release").exists()
                driver.get(f"{base}/formgrader/manage_assignments")
                link = _wait(driver, "the assignment's submissions link", lambda: driver.find_element(
                    By.CSS_SELECTOR, f"a[href$='/formgrader/manage_submissions/{MINI}']"))
                link.click()
                row = _wait(driver, "the student's submission row", lambda: [
                    r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if STUDENT in r.text])
                assert "graded" in row[0].text and "needs manual grading" not in row[0].text, row[0].text
                driver.get(f"{base}/formgrader/gradebook/{MINI}/{MINI}")
                _wait(driver, "the student's notebook link", lambda: [
                    a for a in driver.find_elements(By.CSS_SELECTOR, "a[href*='/formgrader/submissions/']") if a.is_displayed()
                ])[0].click()
                score = _wait(driver, "the score input of `add`, showing the automatic score", lambda: (
                    (e := driver.find_element(By.ID, "add")).get_attribute("placeholder") == "3" and e))
                submission_id = driver.current_url.rstrip("/").split("/")[-1]
                score.clear()
                score.send_keys("1.5")
                driver.execute_script("arguments[0].blur()", score)  # leaving the input saves it
                box = driver.find_element(By.ID, "add-comment")
                box.send_keys(comment)
                driver.execute_script("arguments[0].blur()", box)
                grades = _wait(driver, "the saved override", lambda: [
                    g for g in _api(base, f"/formgrader/api/grades?submission_id={submission_id}")
                    if g["name"] == "add" and g["manual_score"] == 1.5])
                assert grades[0]["auto_score"] == 3.0
                _wait(driver, "the saved comment", lambda: [
                    c for c in _api(base, f"/formgrader/api/comments?submission_id={submission_id}")
                    if c["name"] == "add" and c["manual_comment"] == comment])
            finally:
                if driver is not None:
                    driver.quit()
    finally:
        hidden.rename(hostile_class)
    proc = subprocess.run(
        [*CLI, "merge-class", "--tp", MINI, "--out", str(moved), "--course", str(course)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    with open(moved / "grades.csv", encoding="utf-8") as f:
        row = {r["student_id"]: r for r in csv.DictReader(f)}[STUDENT]
    assert float(row["final_score"]) == MAX_SCORE - 3 + 1.5
    assert float(row["auto_final_score"]) == MAX_SCORE
    assert row["review"] == f"add 3 → 1,5 « {comment} »"
    # merge-class rebuilt the gradebook: the notebook's Formgrader link is still the same.
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{moved / 'gradebook.db'}") as gb:
        assert gb.find_submission_notebook_by_id(submission_id).student.id == STUDENT
    # The original folder was not the one Formgrader wrote to.
    with open(hostile_class / "grades.csv", encoding="utf-8") as f:
        assert float(next(csv.DictReader(f))["final_score"]) == MAX_SCORE
