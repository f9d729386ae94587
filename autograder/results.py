"""Plain result dataclasses shared by every step; renderers live in `autograder.render`.

Student-facing text is carried as a `Message` holding both French and English, so one
result can be rendered in either language without re-grading.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Message:
    """A student-facing text in French and English."""

    fr: str
    en: str = ""

    def text(self, lang: str = "fr") -> str:
        return self.en if lang == "en" and self.en else self.fr


class Status(StrEnum):
    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    ERROR = "error"  # the check could not run (student code crashed, kernel died, timeout)


class Visibility(StrEnum):
    VISIBLE = "visible"  # public check: shipped to students, full message shown
    HIDDEN = "hidden"  # hidden check: name, points and message only, never source or expected values


@dataclass(frozen=True)
class Margin:
    """How far a passing value sat from the bar that would have failed it.

    Recorded by the check helpers (thresholds and tolerances) for the instructor's margin
    report, never rendered for students: for a hidden check it would reveal the bar.
    `kind` is "threshold" (a metric against a level) or "tolerance" (an error against the
    tolerance that accepts it).
    """

    what: str
    value: float
    threshold: float
    higher_is_better: bool
    kind: str = "threshold"

    @property
    def slack(self) -> float:
        """Signed relative distance to the bar: > 0 passes, 0.25 means 25 % of the bar away."""
        scale = abs(self.threshold) or 1e-12
        gap = self.value - self.threshold if self.higher_is_better else self.threshold - self.value
        return gap / scale


@dataclass(frozen=True)
class Expected:
    """A value a check expected on its own inputs, kept so tests can prove no message leaks it.

    Recorded by the check helpers (`assert_close`, `assert_equal_int`, `assert_param_count`)
    and by `record_expected` for hand-made comparisons; never rendered (like `Margin`).
    `kind` is "value" (each entry is a number the check expected), "shape" (the tuple
    of dimensions as a whole), "given" and "given shape" (numbers and array shapes the
    check sent to the student's code, which a message may name).
    """

    what: str
    values: tuple[float, ...]
    kind: str = "value"


@dataclass(frozen=True)
class CheckResult:
    """One pytest check, scored in the grader process."""

    name: str  # e.g. "test_backward_matches_autograd"
    item: str  # the graded item (answer cell grade_id or a TP item name)
    score: float
    max_score: float
    status: Status
    visibility: Visibility
    message: Message | None = None
    duration_s: float = 0.0
    margins: tuple[Margin, ...] = ()  # instructor-only: see Margin
    expected: tuple[Expected, ...] = ()  # tests only: see Expected


@dataclass(frozen=True)
class ManualItem:
    """An item graded by hand (a written answer, a plot to comment), declared in tp.toml.

    The grader never scores it: a report lists it as pending ("à corriger à la main"), its
    points stay out of the automatic `score`/`max_score`, and it counts only once the
    instructor scores it in Formgrader (nbgrader_export reads the score back).
    """

    grade_id: str  # the answer cell (markdown or code) the instructor reads
    points: float
    title: Message


@dataclass(frozen=True)
class CellRun:
    """What happened to one notebook cell in the kernel."""

    index: int  # position in the executed notebook, counting from 1 (as a student counts)
    cell_id: str
    grade_id: str | None
    origin: str  # "instructor" | "student-answer" | "student-scratch"
    status: str  # "ok" | "error" | "timeout" | "skipped" | "kernel-died"
    duration_s: float = 0.0
    error: Message | None = None  # ename/evalue summary for the student


@dataclass(frozen=True)
class CommitInfo:
    repo: str
    ref: str
    sha: str | None = None
    author: str | None = None
    committer_date: str | None = None  # ISO 8601
    message: str | None = None
    notebook_path: str | None = None


@dataclass(frozen=True)
class SandboxInfo:
    """The isolation really reached for this run (recorded, never assumed)."""

    level: str  # "namespaces" | "bwrap" | "landlock" | "unshare" | "rlimits" | "none"
    network_isolated: bool
    user_switched: bool
    filesystem_hidden: bool
    pid_namespace: bool
    limits: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # What the kernel set on itself before any student code (kernel_side/confine.py): the
    # Landlock ABI it used (0: none) and whether its seccomp filter is in place. At the
    # `namespaces` and `bwrap` levels these stack under the namespaces (defence in depth).
    landlock_abi: int = 0
    seccomp: bool = False


@dataclass(frozen=True)
class Problem:
    """Something that went wrong outside a single check: bad ref, invalid notebook, ..."""

    code: str  # stable machine code, e.g. "unknown-ref", "invalid-notebook", "cell-timeout"
    message: Message
    where: str = ""  # "commit abc123, tp01_gradients/tp01_gradients.ipynb, cell 7"


@dataclass(frozen=True)
class GradeReport:
    tp: str
    title: Message
    commit: CommitInfo
    score: float
    max_score: float
    checks: tuple[CheckResult, ...] = ()
    cells: tuple[CellRun, ...] = ()
    problems: tuple[Problem, ...] = ()
    sandbox: SandboxInfo | None = None
    device: str = "cpu"
    durations: dict[str, float] = field(default_factory=dict)  # "read", "execute", "checks", "total"
    graded_at: str = ""  # ISO 8601
    grader_version: str = ""
    manual: tuple[ManualItem, ...] = ()  # graded by hand, never in score/max_score

    @property
    def manual_pending(self) -> float:
        """Points of the items still to be graded by hand (all of them, in a report)."""
        return round(sum(m.points for m in self.manual), 6)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Problem codes that are the grader's fault, not the student's: such a report is no grade.
#: A check file that does not import leaves its points out of both the score and the total
#: (a broken hidden file turned a wrong answer into 15/15): never a grade, run again.
GRADER_FAULTS = frozenset({"kernel-start-failed", "check-collection-error"})


def is_grader_fault(report: GradeReport) -> bool:
    """True when the score says nothing about the student's work (retry instead)."""
    return any(p.code in GRADER_FAULTS for p in report.problems)


def total_score(checks: tuple[CheckResult, ...] | list[CheckResult]) -> tuple[float, float]:
    """Sum of scores and of maximum scores, rounded to avoid float noise in reports."""
    score = round(sum(c.score for c in checks), 6)
    max_score = round(sum(c.max_score for c in checks), 6)
    return score, max_score
