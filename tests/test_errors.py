"""errors: one base for the errors people read, so the CLI and renderers need no per-class code."""

from __future__ import annotations

import pickle

import pytest

from autograder.bridge.values import StudentError, SubmissionError
from autograder.checks.errors import CheckFailed, Partial
from autograder.config import ConfigError
from autograder.errors import AutograderError, Place
from autograder.intake.gitread import SubmissionReadError
from autograder.intake.nbio import NotebookError
from autograder.release.import_nbgrader import ImportRefused
from autograder.release.scaffold import ScaffoldError
from autograder.release.views import ReleaseError
from autograder.results import CommitInfo, Message
from autograder.sandbox.plan import SandboxUnavailable

MSG = Message(fr="le notebook est illisible", en="the notebook cannot be read")


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConfigError(MSG),
        lambda: ReleaseError(MSG),
        lambda: ImportRefused(MSG),
        lambda: SandboxUnavailable(MSG),
        lambda: ScaffoldError(MSG),
        lambda: NotebookError("invalid-notebook", MSG),
        lambda: SubmissionReadError("unknown-ref", MSG, CommitInfo(repo="eleve.git", ref="main")),
        lambda: SubmissionError(MSG),
        lambda: StudentError(MSG, "ValueError", "boom"),
        lambda: CheckFailed(MSG),
        lambda: Partial(0.5, MSG),
    ],
    ids=lambda make: "",  # the error classes, in the order above
)
def test_every_error_people_read_is_one_kind_with_its_message(make):
    exc = make()
    assert isinstance(exc, AutograderError)
    assert exc.message == MSG
    assert exc.text("fr") == MSG.fr and exc.text("en") == MSG.en
    # It crosses a process pool whole (prove --jobs 2 raised a ConfigError in a worker, and
    # the parent got "'str' object has no attribute 'text'" instead of the message).
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc) and vars(back) == vars(exc) and str(back) == str(exc)


def test_grader_side_errors_read_in_english_and_the_students_in_french():
    assert str(ConfigError(MSG)) == MSG.en
    assert str(SubmissionError(MSG)) == MSG.fr
    assert str(CheckFailed("faux", "wrong")) == "faux"


def test_a_check_failure_takes_a_message_or_its_two_texts():
    assert CheckFailed(MSG).message == CheckFailed(MSG.fr, MSG.en).message
    assert Partial(0.25, MSG).message == MSG and Partial(0.25, MSG).fraction == 0.25
    with pytest.raises(AssertionError):  # still a failure for a plain pytest run
        raise CheckFailed(MSG)


def test_the_place_and_the_fix_follow_the_message_in_the_readers_language():
    exc = ReleaseError(
        MSG,
        place=Place(commit="abc1234", notebook="tp01.ipynb", cell="q3", check="test_grad"),
        fix=Message(fr="corrigez la cellule", en="fix the cell"),
    )
    assert exc.text("fr") == "le notebook est illisible (commit abc1234, notebook tp01.ipynb, cellule q3, test test_grad) — corrigez la cellule"
    assert exc.text("en") == "the notebook cannot be read (commit abc1234, notebook tp01.ipynb, cell q3, check test_grad) — fix the cell"
    assert Place().text() == ""

