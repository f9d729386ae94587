"""Run a TP's checks with pytest in the grader process and score them.

The plugin supplies the fixtures (`submission`, `rng`, `seed`, `device`, `lang`,
`tp_dir`), reads the `item`/`points` markers (`autograder.grading.marks`) and turns every outcome into a
`CheckResult`. Failures become student-facing messages; a hidden check never shows its
source, its assertion expression or a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.bridge.proxy import Submission
from autograder.bridge.values import SubmissionError
from autograder.checks.errors import CheckFailed, Partial, expected_values_shown
from autograder.checks.margins import recording_expected, recording_margins
from autograder.grading.marks import MarkError, check_marks
from autograder.results import CheckResult, Expected, Margin, Message, Status, Visibility
from autograder.sandbox.workspace import CHECKS_CACHE_PREFIX, CHECKS_PREFIX
from autograder.secret import InputKey, InputKeys

#: What the `seed` fixture is derived for: the submission, not one check (see `seed`).
SEED_SCOPE = "(submission)"
GENERIC_HIDDEN = Message(
    fr="la vérification a échoué sur des entrées cachées", en="the check failed on hidden inputs"
)


@dataclass(frozen=True)
class CheckRun:
    """Everything the checks of one submission need."""

    submission: Submission
    check_dirs: tuple[tuple[Path, Visibility], ...]
    keys: InputKeys
    device: str
    lang: str
    tp_dir: Path
    threads: int = 1


class _TorchThreads:
    """torch's intra-op threads in the grader process while the checks run, put back after.

    The checks' tensors are small: more threads only wait on one another, and on a loaded
    runner a descheduled thread stalls every parallel region (two threads made TP01's checks
    2.4 times slower on a busy 2-core machine). torch is imported by the check modules
    themselves, so the setting is applied once they are collected (`apply`)."""

    def __init__(self, threads: int):
        self.threads = threads
        self.previous: int | None = None

    def apply(self) -> None:
        torch = sys.modules.get("torch")
        if torch is None or self.threads < 1 or self.previous is not None:
            return
        self.previous = torch.get_num_threads()
        if self.previous != self.threads:
            torch.set_num_threads(self.threads)

    def restore(self) -> None:
        torch = sys.modules.get("torch")
        if torch is not None and self.previous is not None and torch.get_num_threads() != self.previous:
            torch.set_num_threads(self.previous)
        self.previous = None


class _Collector:
    def __init__(self, run: CheckRun, threads: _TorchThreads | None = None):
        self.run = run
        self.threads = threads
        self.results: dict[str, CheckResult] = {}
        self.order: list[str] = []
        self.collect_errors: list[Message] = []
        self.margins: dict[str, tuple[Margin, ...]] = {}
        self.expected: dict[str, tuple[Expected, ...]] = {}

    # -- configuration ---------------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "item(grade_id, points=n): the graded item a check belongs to and the points it is worth")
        config.addinivalue_line("markers", "points(n): points a check is worth (or item(..., points=n))")

    # -- fixtures --------------------------------------------------------------------------
    @pytest.fixture
    def submission(self) -> Submission:
        return self.run.submission

    def _key(self, request: pytest.FixtureRequest) -> InputKey:
        hidden = self._visibility(Path(request.node.path)) is Visibility.HIDDEN
        return self.run.keys.hidden if hidden and self.run.keys.hidden else self.run.keys.public

    @pytest.fixture
    def seed(self, request: pytest.FixtureRequest) -> int:
        """A seed a check may hand to student code (and so see quoted back in feedback).

        One value for every check of a submission (per visibility): checks that share what
        one of them computed (`once_per_submission`: a model trained on data built from the
        seed) must agree on it, whichever check runs first."""
        return self._key(request).derive("student", SEED_SCOPE)

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """The check's own grader-chosen inputs: derived apart from `seed`, so a seed quoted
        back by the student's code says nothing about them."""
        return np.random.default_rng(self._key(request).derive("inputs", request.node.name))

    @pytest.fixture
    def device(self) -> str:
        return self.run.device

    @pytest.fixture
    def lang(self) -> str:
        return self.run.lang

    @pytest.fixture
    def tp_dir(self) -> Path:
        return self.run.tp_dir

    # -- scoring ---------------------------------------------------------------------------
    def _visibility(self, path: Path) -> Visibility:
        for d, vis in self.run.check_dirs:
            if d == path or d in path.parents:
                return vis
        return Visibility.HIDDEN

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # Ordering constraint: the check modules import torch while they are collected.
        if self.threads is not None:
            self.threads.apply()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(
                Message(
                    fr=f"erreur dans les vérifications du TP ({report.nodeid}) : contactez l'enseignant",
                    en=f"error in the TP's checks ({report.nodeid}): contact the instructor",
                )
            )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        """Hidden checks run with expected values kept out of the library's messages."""
        visible = self._visibility(Path(item.path)) is Visibility.VISIBLE
        with (
            expected_values_shown(visible),
            recording_margins() as margins,
            recording_expected() as expected,
        ):
            yield
        self.margins[item.nodeid] = tuple(margins)
        self.expected[item.nodeid] = tuple(expected)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        """Our own report, without pytest's traceback rendering: it is never shown (hidden
        checks must not show theirs) and reading check sources costs ~0.2 s per failure."""
        exc = call.excinfo
        if exc is None:
            outcome, longrepr = "passed", None
        elif exc.errisinstance(pytest.skip.Exception):
            outcome = "skipped"
            longrepr = (str(item.path), item.location[1] or 0, str(exc.value)[:200])
        else:
            outcome, longrepr = "failed", f"{exc.typename}: {str(exc.value)[:500]}"
        rep = pytest.TestReport(
            item.nodeid,
            item.location,
            {k: 1 for k in item.keywords},
            outcome,
            longrepr,
            call.when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
            user_properties=item.user_properties,
        )
        if rep.when == "call" or (rep.when == "setup" and rep.failed):
            self._record(item, call, rep)
        if exc is not None:
            _drop_frames(exc.value)
        return rep

    def _record(self, item: pytest.Item, call: pytest.CallInfo, rep: pytest.TestReport) -> None:
        try:
            marks, mark_error = check_marks(item, item.path.stem), None
        except MarkError as err:
            marks, mark_error = err.marks, err
        max_score, graded_item = marks.points, marks.item
        vis = self._visibility(Path(item.path))
        status, score, message = Status.PASSED, max_score, None
        exc = call.excinfo.value if call.excinfo is not None else None
        if mark_error is not None:  # the author's markers, before the check's own outcome
            status, score, message = Status.ERROR, 0.0, mark_error.message
        elif rep.passed:
            pass
        elif isinstance(exc, Partial):
            status, score, message = Status.PARTIAL, round(max_score * exc.fraction, 6), exc.message
            if exc.fraction <= 0:
                status = Status.FAILED
        elif isinstance(exc, CheckFailed):
            status, score, message = Status.FAILED, 0.0, exc.message
        elif isinstance(exc, SubmissionError):
            status, score, message = Status.ERROR, 0.0, exc.message
        elif isinstance(exc, AssertionError):
            status, score = Status.FAILED, 0.0
            text = str(exc).split("\nassert ")[0].strip()
            if vis is Visibility.VISIBLE and text:
                message = Message(fr=text[:1000], en=text[:1000])
            else:
                message = GENERIC_HIDDEN
        elif rep.skipped:
            status, score = Status.ERROR, 0.0
            message = Message(fr="vérification ignorée", en="check skipped")
        else:
            name = type(exc).__name__ if exc is not None else "Error"
            status, score = Status.ERROR, 0.0
            message = Message(
                fr=f"la vérification n'a pas pu aboutir ({name}) : vérifiez le type et la forme de ce que renvoie votre code",
                en=f"the check could not complete ({name}): check the type and shape of what your code returns",
            )
        if vis is Visibility.HIDDEN and message is not None:
            seeds = set(self.run.submission.handed_seeds)
            if "seed" in getattr(item, "funcargs", {}):
                handed = int(item.funcargs["seed"])
                seeds |= {handed, handed % 2**31}
            message = without_seeds(message, seeds)
        key = item.nodeid
        if key not in self.results:
            self.order.append(key)
        self.results[key] = CheckResult(
            name=item.name,
            item=graded_item,
            score=score,
            max_score=max_score,
            status=status,
            visibility=vis,
            message=message,
            duration_s=round(getattr(rep, "duration", 0.0), 4),
            margins=self.margins.get(key, ()),
            expected=self.expected.get(key, ()),
        )


#: An integer of 7 digits or more in a hidden check's message: a seed drawn in [0, 2**31) passed
#: positionally (`randomiser_couches(m, noms, 1566454542)`) or a hidden value; nothing a student
#: needs (parameter counts of the TPs' models have at most 6 digits). Decimals are kept, whole:
#: the integer part of 12345678.139 (a diverging sampler's distance) is no seed, and masking it
#: printed "….139".
_SEED_LIKE = re.compile(r"(?<![\d.])\d{7,}(?!\d|\.\d)")


def without_seeds(message: Message, seeds: set[int]) -> Message:
    """`message` with every seed handed to student code, and every integer long enough to be
    one, replaced by « … »: a hidden check's feedback shows nothing seed-like (small values,
    which any text holds, are kept)."""
    shown = sorted((str(s) for s in seeds if abs(s) >= 1000), key=len, reverse=True)
    pattern = re.compile(r"(?<![\d.])(?:" + "|".join(map(re.escape, shown)) + r")(?![\d])") if shown else None

    def mask(text: str) -> str:
        text = pattern.sub("…", text) if pattern is not None else text
        return _SEED_LIKE.sub("…", text)

    return Message(fr=mask(message.fr), en=mask(message.en))


def _drop_frames(exc: BaseException) -> None:
    """A failed check's message is taken: free what its traceback holds. Its frames keep
    every local of the check (arrays the student's code returned, hundreds of MB) alive
    until pytest's session ends, and their cycles until a gc run the grader never makes."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if e.__traceback__ is not None:
            traceback.clear_frames(e.__traceback__)
        e.__traceback__ = None
        todo += [e.__cause__, e.__context__]
    for name in ("last_exc", "last_type", "last_value", "last_traceback"):  # set by pytest's runner
        if hasattr(sys, name):
            setattr(sys, name, None)


#: Never copied into the run's folder: bytecode and notebook litter of the course's own.
_LITTER_DIRS = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


#: One reading of the check folders: per folder, (path inside it, bytes) of every file.
Snapshot = tuple[tuple[tuple[str, bytes], ...], ...]


def _snapshot(present: list[tuple[Path, Visibility]]) -> Snapshot:
    """Every file of the check folders, read once (litter left out).

    Ordering constraint: the package's name is the digest of this reading and its copy is
    written from it, never from the folders again, so a check edited while a grading starts
    cannot land under the name of its previous content (which a later grading of that content
    would then reuse)."""
    folders = []
    for d, _ in present:
        files = []
        for f in sorted(p for p in d.rglob("*") if p.is_file()):
            rel = f.relative_to(d)
            if f.suffix == ".pyc" or any(part in _LITTER_DIRS for part in rel.parts):
                continue
            files.append((rel.as_posix(), f.read_bytes()))
        folders.append(tuple(files))
    return tuple(folders)


def _package_name(present: list[tuple[Path, Visibility]], snapshot: Snapshot) -> str:
    """`tp_checks_<digest>` of the folders' absolute paths and of every file's bytes (as
    `snapshot` read them): unique per course and TP, the same on every grading of one TP, and
    another one as soon as a check or helper is edited (pytest reuses what it imported under
    a name)."""
    h = hashlib.sha256()
    for (d, _), files in zip(present, snapshot, strict=True):
        h.update(str(d.resolve()).encode() + b"\0")
        for rel, data in files:
            h.update(rel.encode() + b"\0" + data + b"\0")
    return f"tp_checks_{h.hexdigest()[:16]}"


def _copy_names(present: list[tuple[Path, Visibility]]) -> list[str]:
    """Each folder's name in the package: its own (`public`, `hidden`), else `checks<k>`."""
    names: list[str] = []
    for k, (d, _) in enumerate(present):
        names.append(d.name if d.name.isidentifier() and d.name not in names and d.name != "__init__" else f"checks{k}")
    return names


def _forget(package: str) -> None:
    """Drop the modules pytest imported from a grading's copies.

    Ordering constraint: pytest reuses a module already in sys.modules. Forgotten after each
    grading, a check module is executed afresh for the next submission (from the cached
    bytecode), so no module-level state of one student's grading reaches another's; and a
    temporary copy, deleted when its grading ends, is never run again from a module whose
    files are gone."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def _copy_into(present: list[tuple[Path, Visibility]], snapshot: Snapshot, name: str, root: Path) -> None:
    """`root/pytest.ini` and `root/<name>/`: the check folders as `snapshot` read them, each
    under its own name, an `__init__.py` added."""
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for files, folder in zip(snapshot, _copy_names(present), strict=True):
        copy = package / folder
        copy.mkdir()
        for rel, data in files:
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if not (copy / "__init__.py").exists():
            (copy / "__init__.py").write_text("", encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")


#: A copy of a TP's checks unused for this long is removed when another one is made.
STALE_COPY_S = 24 * 3600


def checks_home(base: Path | None = None) -> Path | None:
    """This user's folder of check copies, `ag-checks-<uid>` in `base` (the user's cache
    folder, `$XDG_CACHE_HOME/autograder` or `~/.cache/autograder`), private (0700). Not the
    temp folder: a grading leaves that as it found it.

    None when the folder cannot be made or is not ours to trust (another user's, a link,
    readable by others): each grading then copies the checks into a temporary folder of its
    own, removed after it."""
    try:
        if base is None:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autograder"
        home = base / f"{CHECKS_CACHE_PREFIX}{os.getuid()}"
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(home)
    except (OSError, RuntimeError):  # RuntimeError: no home directory to be found
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return home


def _prune(home: Path, keep: Path) -> None:
    """Remove the copies (and half-made ones) nobody used for `STALE_COPY_S`."""
    now = time.time()
    for p in home.iterdir():
        try:
            if p != keep and now - p.lstat().st_mtime > STALE_COPY_S:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


def _prepared(present: list[tuple[Path, Visibility]], snapshot: Snapshot, name: str, home: Path) -> Path:
    """The folder `home/<name>/` (`_copy_into`), made once per content of the checks (`name`,
    from `_package_name`).

    Why a folder per content rather than per grading: pytest rewrites the asserts of every
    check module it imports (parse, rewrite, compile: about 0.2 s per submission for TP01)
    and caches the result beside the file, keyed by the source's hash. A copy kept between
    gradings, and between grader processes, pays that once. Made in a private folder and
    renamed into place: a copy is whole or absent, and two graders making it at once keep
    one. Touched at each use, so `_prune` leaves it while it serves."""
    root = home / name
    if not (root / "pytest.ini").is_file():
        build = Path(tempfile.mkdtemp(prefix=".build-", dir=home))
        try:
            _copy_into(present, snapshot, name, build)
            os.rename(build, root)
        except OSError:
            shutil.rmtree(build, ignore_errors=True)  # another grader renamed its copy first
            if not (root / "pytest.ini").is_file():
                raise
        _prune(home, root)
    os.utime(root)
    return root


@contextlib.contextmanager
def check_copies(
    check_dirs: tuple[tuple[Path, Visibility], ...], home: Path | None
) -> Iterator[tuple[Path, tuple[tuple[Path, Visibility], ...], bool]]:
    """(rootdir, the check folders' copies, whether they are cached) for one run of pytest,
    in `home` (`checks_home()`), or in a temporary folder removed afterwards where that is
    None or cannot be written.

    pytest imports (and assertion-rewrites) what it runs, writing bytecode beside each file:
    run on copies, that lands beside the copies, never in the course (or the student's repo
    for `autograder check`). The hidden folder is never released, so neither are its
    helpers: the copies live in the grader's own cache or temp folder, which no sandbox level
    above `rlimits` lets a kernel read."""
    present = [(d, vis) for d, vis in check_dirs if d.is_dir()]
    snapshot = _snapshot(present)
    name = _package_name(present, snapshot)

    def copies(root: Path) -> tuple[tuple[Path, Visibility], ...]:
        return tuple((root / name / n, vis) for (_, vis), n in zip(present, _copy_names(present), strict=True))

    if home is not None:
        try:
            root = _prepared(present, snapshot, name, home)
        except OSError:
            root = None
        if root is not None:
            yield root, copies(root), True
            return
    with tempfile.TemporaryDirectory(prefix=CHECKS_PREFIX) as tmp:
        _copy_into(present, snapshot, name, Path(tmp))
        yield Path(tmp), copies(Path(tmp)), False


@contextlib.contextmanager
def _bytecode_kept(cached: bool) -> Iterator[None]:
    """pytest caches its rewritten check modules only when Python may write bytecode, which
    PYTHONDONTWRITEBYTECODE (set in many CI images) forbids: for a run on cached copies,
    allow it while pytest runs, and put the grader's setting back after. What else this
    process imports meanwhile is the grader's own code, whose bytecode Python writes by
    default anyway; the course is never written to (the checks run from the copies)."""
    if not cached or not sys.dont_write_bytecode:
        yield
        return
    sys.dont_write_bytecode = False
    try:
        yield
    finally:
        sys.dont_write_bytecode = True


def run_checks(run: CheckRun) -> tuple[list[CheckResult], list[Message]]:
    """Run every check once, in file order; returns results and collection problems."""
    if not any(d.is_dir() for d, _ in run.check_dirs):
        return [], []
    with check_copies(run.check_dirs, checks_home()) as (tmp, copies, cached):
        try:
            run = replace(run, check_dirs=copies)
            threads = _TorchThreads(run.threads)
            collector = _Collector(run, threads)
            paths = [str(d) for d, _ in run.check_dirs]
            ini = tmp / "pytest.ini"
            args = [
                *paths,
                "-c",
                str(ini),
                "--rootdir",
                str(tmp),
                # Only pytest's own plugins and ours: what else is installed in the grader's
                # environment must not change a grade (and scanning for it costs time).
                "--disable-plugin-autoload",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "-p",
                "no:xdist",
                # Its cleanup runs gc.collect() five times per session: ~0.5 s with torch loaded,
                # per submission. Student objects never reach the grader, so it has nothing to catch.
                "-p",
                "no:unraisableexception",
                "-p",
                "no:threadexception",
                # Per-test machinery the grader never uses: fd capture (stdout is redirected to a
                # sink below), log capture, faulthandler, doctest collection...
                "--capture=no",
                "-p",
                "no:logging",
                "-p",
                "no:faulthandler",
                "-p",
                "no:doctest",
                "-p",
                "no:pastebin",
                "-p",
                "no:junitxml",
                "-p",
                "no:stepwise",
                "--import-mode=importlib",
                "--continue-on-collection-errors",  # one broken check file must not zero the others
                "-q",
                "--no-header",
                "-W",
                "ignore::DeprecationWarning",
            ]
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), _bytecode_kept(cached):
                try:
                    pytest.main(args, plugins=[collector])
                finally:
                    threads.restore()
        finally:
            _forget(copies[0][0].parent.name)
    return [collector.results[k] for k in collector.order], collector.collect_errors
