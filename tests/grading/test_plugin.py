"""plugin: real pytest runs of check files; every outcome becomes a scored CheckResult."""

from __future__ import annotations

import gc
import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.bridge.proxy import Submission
from autograder.grading.plugin import (
    GENERIC_HIDDEN,
    SEED_SCOPE,
    CheckRun,
    _package_name,
    _prepared,
    _snapshot,
    check_copies,
    checks_home,
    run_checks,
    without_seeds,
)
from autograder.results import Message, Status, Visibility
from autograder.secret import InputKey, InputKeys, public_key

REASON = Message(fr="le noyau Python s'est arrêté à la cellule 5", en="kernel stopped at cell 5")

PUBLIC = """
import numpy as np
import pytest

from autograder.checks import CheckFailed, Partial


@pytest.mark.item("a")
@pytest.mark.points(2)
def test_passes(submission):
    assert True


@pytest.mark.item("a")
@pytest.mark.points(3)
def test_check_failed():
    raise CheckFailed("valeur fausse en [2]", "wrong value at [2]")


@pytest.mark.item("b")
@pytest.mark.points(4)
def test_partial_half():
    raise Partial(0.5, fr="moitié", en="half")


@pytest.mark.item("b")
@pytest.mark.points(1)
def test_partial_zero_is_failed():
    raise Partial(0.0, fr="rien", en="nothing")


@pytest.mark.item("b")
@pytest.mark.points(1)
def test_partial_nan_is_no_credit():
    raise Partial(float("nan"), fr="nan", en="nan")


@pytest.mark.item("c")
def test_bare_assert_public():
    expected = 41
    assert expected == 42, "la réponse devrait être 42"


@pytest.mark.item("c")
def test_other_exception():
    {}["missing"]


@pytest.mark.item("c")
def test_skipped():
    pytest.skip("pas ici")


@pytest.mark.item("d")
@pytest.mark.points(2)
def test_calls_dead_kernel(submission):
    submission.call("grad_f", np.ones(2))


def test_default_points_and_item():
    pass


@pytest.mark.item("f", points=2.5)
def test_item_with_its_points():
    pass


@pytest.mark.item("f", points=2)
@pytest.mark.points(3)
def test_markers_that_disagree():
    pass


@pytest.fixture
def broken_fixture():
    raise RuntimeError("fixture cassée")


@pytest.mark.item("e")
def test_setup_error(broken_fixture):
    pass


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.item("f")
@pytest.mark.points(0.5)
def test_parametrized(n):
    assert n == 1
"""

HIDDEN = """
import pytest

from autograder.checks import CheckFailed

SECRET = [3.14159, 2.71828]


@pytest.mark.item("h")
@pytest.mark.points(5)
def test_hidden_bare_assert(submission):
    got = [0.0, 0.0]
    assert got == SECRET


@pytest.mark.item("h")
def test_hidden_check_failed():
    raise CheckFailed("message choisi par l'auteur", "author's message")


@pytest.mark.item("h")
def test_hidden_other_exception():
    raise ZeroDivisionError(str(SECRET))
"""

FIXTURES = """
import numpy as np
import pytest

from autograder.checks import CheckFailed


def _report(value):
    raise CheckFailed(repr(value), repr(value))


def test_rng_draw(rng):
    _report(rng.integers(0, 10**6, size=3).tolist())


def test_seed_value(seed):
    _report(seed)


def test_seed_value_again(seed):
    _report(seed)


def test_context(device, lang, tp_dir):
    _report((device, lang, str(tp_dir)))
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


COURSE_SECRET = bytes(range(16))


def keys(seed: int = 123, student: str = "group/alice") -> InputKeys:
    return InputKeys(public_key(seed), InputKey(COURSE_SECRET, student, seed))


def run(dirs, *, seed=123, student="group/alice", lang="fr", tp_dir=Path("/course/source/tp"), device="cpu",
        threads=1):
    return run_checks(
        CheckRun(
            submission=Submission(None, None, unavailable=REASON),
            check_dirs=tuple(dirs),
            keys=keys(seed, student),
            device=device,
            lang=lang,
            tp_dir=tp_dir,
            threads=threads,
        )
    )


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    base = tmp_path_factory.mktemp("plugin")
    write(base / "public" / "test_public.py", PUBLIC)
    write(base / "hidden" / "test_hidden.py", HIDDEN)
    results, errors = run(
        [(base / "public", Visibility.VISIBLE), (base / "hidden", Visibility.HIDDEN)]
    )
    return {r.name: r for r in results}, [r.name for r in results], errors


def test_results_in_file_order_public_first(outcome):
    _, order, errors = outcome
    assert errors == []
    assert order[:3] == ["test_passes", "test_check_failed", "test_partial_half"]
    assert order[-3:] == [
        "test_hidden_bare_assert",
        "test_hidden_check_failed",
        "test_hidden_other_exception",
    ]
    assert "test_parametrized[1]" in order and "test_parametrized[2]" in order


def test_pass_fail_and_partial_scores(outcome):
    r, _, _ = outcome
    assert (r["test_passes"].status, r["test_passes"].score, r["test_passes"].max_score) == (
        Status.PASSED,
        2.0,
        2.0,
    )
    assert r["test_passes"].message is None and r["test_passes"].item == "a"
    failed = r["test_check_failed"]
    assert (failed.status, failed.score, failed.max_score) == (Status.FAILED, 0.0, 3.0)
    assert failed.message == Message("valeur fausse en [2]", "wrong value at [2]")
    half = r["test_partial_half"]
    assert (half.status, half.score, half.max_score) == (Status.PARTIAL, 2.0, 4.0)
    assert half.message == Message("moitié", "half")
    assert (r["test_partial_zero_is_failed"].status, r["test_partial_zero_is_failed"].score) == (
        Status.FAILED,
        0.0,
    )
    assert r["test_partial_nan_is_no_credit"].score == 0.0
    assert r["test_parametrized[1]"].score == 0.5 and r["test_parametrized[2]"].score == 0.0


def test_bare_assert_in_a_public_check_shows_its_message(outcome):
    res = outcome[0]["test_bare_assert_public"]
    assert res.status == Status.FAILED and res.score == 0.0
    assert "la réponse devrait être 42" in res.message.fr
    assert "assert 41 == 42" not in res.message.fr


def test_errors_that_are_not_the_students_answer(outcome):
    r = outcome[0]
    other = r["test_other_exception"]
    assert other.status == Status.ERROR and "KeyError" in other.message.fr
    assert "'missing'" not in other.message.fr
    assert r["test_skipped"].status == Status.ERROR
    assert r["test_skipped"].message.fr == "vérification ignorée"
    setup = r["test_setup_error"]
    assert setup.status == Status.ERROR and setup.score == 0.0 and setup.item == "e"
    assert "fixture cassée" not in setup.message.fr


def test_submission_error_becomes_an_error_with_the_student_message(outcome):
    res = outcome[0]["test_calls_dead_kernel"]
    assert res.status == Status.ERROR and res.score == 0.0 and res.max_score == 2.0
    assert res.message == REASON


def test_defaults_one_point_and_item_from_the_file_name(outcome):
    res = outcome[0]["test_default_points_and_item"]
    assert res.max_score == 1.0 and res.item == "test_public"
    assert res.visibility == Visibility.VISIBLE


def test_one_marker_gives_item_and_points_and_a_contradiction_is_the_authors_error(outcome):
    """item(gid, points=n) reads as item(gid) + points(n); both disagreeing score 0 with a
    message naming the two markers (the release proof then refuses the TP)."""
    both = outcome[0]["test_item_with_its_points"]
    assert (both.item, both.max_score, both.score, both.status) == ("f", 2.5, 2.5, Status.PASSED)
    bad = outcome[0]["test_markers_that_disagree"]
    assert (bad.item, bad.score, bad.status) == ("f", 0.0, Status.ERROR)
    assert "points=2" in bad.message.fr and "points(3)" in bad.message.fr


def test_hidden_checks_never_show_source_or_values(outcome):
    r = outcome[0]
    bare = r["test_hidden_bare_assert"]
    assert bare.visibility == Visibility.HIDDEN
    assert bare.status == Status.FAILED and bare.max_score == 5.0
    assert bare.message == GENERIC_HIDDEN
    other = r["test_hidden_other_exception"]
    assert other.status == Status.ERROR
    for res in (bare, other):
        assert "3.14" not in res.message.fr + res.message.en
        assert "SECRET" not in res.message.fr + res.message.en
    # A message the author wrote on purpose is shown.
    assert r["test_hidden_check_failed"].message.fr == "message choisi par l'auteur"


def test_fixtures_rng_and_seed_derive_from_the_secret_and_the_check(tmp_path):
    write(tmp_path / "checks" / "test_fixtures.py", FIXTURES)
    dirs = [(tmp_path / "checks", Visibility.VISIBLE)]

    def values(**kw):
        results, errors = run(dirs, **kw)
        assert errors == []
        return {r.name: r.message.fr for r in results}

    first, again, other_seed = values(seed=1), values(seed=1), values(seed=2)
    assert first == again
    assert first["test_rng_draw"] != other_seed["test_rng_draw"]
    # Public checks: keyed with the public constant, the same for every student (the
    # student's own `autograder check` sees the same inputs as the grade).
    assert first["test_seed_value"] == repr(public_key(1).derive("student", SEED_SCOPE))
    assert values(seed=1, student="group/bob") == first
    # One seed for every check of a submission: checks sharing a model trained once on data
    # built from it (whichever runs first) agree on it.
    assert first["test_seed_value_again"] == first["test_seed_value"]
    ctx = values(seed=1, lang="en", device="cpu", tp_dir=tmp_path)["test_context"]
    assert ctx == repr(("cpu", "en", str(tmp_path)))


def test_hidden_inputs_depend_on_the_secret_and_the_student_and_not_on_the_handed_seed(tmp_path):
    """A hidden check's `rng` is keyed with the course secret and the student; the `seed` a
    check hands to student code is derived apart, so quoting it back reveals neither."""
    write(tmp_path / "checks" / "test_fixtures.py", FIXTURES)
    dirs = [(tmp_path / "checks", Visibility.HIDDEN)]

    def values(**kw):
        results, errors = run(dirs, **kw)
        assert errors == []
        return {r.name: r.message.fr for r in results}

    alice, bob = values(student="group/alice"), values(student="group/bob")
    assert alice == values(student="group/alice")  # the same student: the same inputs
    assert alice["test_rng_draw"] != bob["test_rng_draw"]
    key = InputKey(COURSE_SECRET, "group/alice", 123)
    handed = key.derive("student", SEED_SCOPE)
    assert alice["test_seed_value"] == "…"  # a hidden check's message never shows a handed seed
    draw = np.random.default_rng(key.derive("inputs", "test_rng_draw")).integers(0, 10**6, size=3).tolist()
    assert alice["test_rng_draw"] == repr(draw)
    # What a student learns from a handed seed does not rebuild the check's inputs.
    assert np.random.default_rng(handed).integers(0, 10**6, size=3).tolist() != draw
    public = np.random.default_rng(public_key(123).derive("inputs", "test_rng_draw")).integers(0, 10**6, size=3)
    assert public.tolist() != draw


def test_without_seeds_masks_whole_integers_and_keeps_decimals_whole():
    """A seed-like integer is masked; a decimal with a long integer part (a diverging sampler's
    distance) is kept whole: masking its integer part printed « ….139 »."""
    msg = Message(fr="graine 1566454542 ; distance 12345678.139 ; fin 7654321.", en="x 12345678.139")
    out = without_seeds(msg, {424242})
    assert out.fr == "graine … ; distance 12345678.139 ; fin …."
    assert out.en == "x 12345678.139"
    assert without_seeds(Message(fr="seed 424242.5 et 4242420", en=""), {424242}).fr == "seed ….5 et …"


def test_collection_error_is_reported_for_the_instructor(tmp_path):
    write(tmp_path / "checks" / "test_ok.py", "def test_ok():\n    pass\n")
    write(tmp_path / "checks" / "test_broken.py", "def test_broken(:\n    pass\n")
    results, errors = run([(tmp_path / "checks", Visibility.HIDDEN)])
    # pytest stops the session on a collection error: never a silent partial grade.
    assert [r.name for r in results] in ([], ["test_ok"])
    assert len(errors) == 1
    assert "test_broken.py" in errors[0].fr and "contactez l'enseignant" in errors[0].fr


def test_missing_check_dirs_give_nothing(tmp_path):
    assert run([(tmp_path / "absent", Visibility.VISIBLE)]) == ([], [])
    assert run([]) == ([], [])


def test_same_file_names_in_two_tps_do_not_clash(tmp_path):
    a = write(tmp_path / "tp1" / "test_checks.py", "def test_one():\n    assert True\n")
    b = write(tmp_path / "tp2" / "test_checks.py", "def test_two():\n    assert False\n")
    ra, _ = run([(a.parent, Visibility.VISIBLE)])
    rb, _ = run([(b.parent, Visibility.VISIBLE)])
    assert [(r.name, r.status) for r in ra] == [("test_one", Status.PASSED)]
    assert [(r.name, r.status) for r in rb] == [("test_two", Status.FAILED)]


def test_check_output_does_not_reach_the_console(tmp_path, capfd):
    write(
        tmp_path / "checks" / "test_noisy.py",
        "def test_noisy():\n    print('BRUIT-DE-CHECK')\n",
    )
    results, _ = run([(tmp_path / "checks", Visibility.VISIBLE)])
    assert results[0].status == Status.PASSED
    out = capfd.readouterr()
    assert "BRUIT-DE-CHECK" not in out.out + out.err


def test_checks_leave_no_bytecode_in_the_course(tmp_path, monkeypatch):
    """Even where Python writes bytecode, importing checks must not add __pycache__, and the
    run changes no process-wide switch to get there (the check sees the grader's setting)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    write(
        tmp_path / "checks" / "test_simple.py",
        "import sys\n\ndef test_simple():\n    assert sys.dont_write_bytecode is False\n",
    )
    results, _ = run([(tmp_path / "checks", Visibility.HIDDEN)])
    assert [r.status for r in results] == [Status.PASSED]
    assert sorted(p.name for p in (tmp_path / "checks").iterdir()) == ["test_simple.py"]
    assert sys.dont_write_bytecode is False


def test_rewritten_checks_are_cached_even_where_python_writes_no_bytecode(tmp_path, monkeypatch):
    """pytest's assert rewriting costs about 0.2 s per submission: the copy it runs from is
    kept between gradings with the rewritten bytecode beside it, also under
    PYTHONDONTWRITEBYTECODE, and the grader's own setting is back after the run."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    write(
        tmp_path / "checks" / "test_where.py",
        "from autograder.checks import CheckFailed\n\n"
        "def test_where():\n    raise CheckFailed(__file__, __file__)\n",
    )
    first, _ = run([(tmp_path / "checks", Visibility.VISIBLE)])
    again, _ = run([(tmp_path / "checks", Visibility.VISIBLE)])
    copy = Path(first[0].message.fr)
    assert Path(again[0].message.fr) == copy and copy.is_file()
    assert [p.name for p in (copy.parent / "__pycache__").iterdir() if "pytest" in p.name]
    assert sys.dont_write_bytecode is True
    assert sorted(p.name for p in (tmp_path / "checks").iterdir()) == ["test_where.py"]


def test_an_edited_check_gets_a_copy_of_its_own(tmp_path):
    (tmp_path / "tmp").mkdir()
    home = checks_home(tmp_path / "tmp")
    assert home is not None
    check = write(tmp_path / "checks" / "test_a.py", "def test_a():\n    assert True\n")
    dirs = ((check.parent, Visibility.HIDDEN),)
    with check_copies(dirs, home) as (root, copies, cached):
        assert cached and (copies[0][0] / "test_a.py").read_text() == check.read_text()
    with check_copies(dirs, home) as (same, _, _):
        assert same == root
    write(check, "def test_a():\n    assert False\n")
    with check_copies(dirs, home) as (edited, copies, _):
        assert edited != root and "False" in (copies[0][0] / "test_a.py").read_text()


def test_a_cache_folder_others_can_read_is_not_used(tmp_path):
    """Hidden checks are copied there: a folder another user made, or opened to others, is
    passed over, and the grading copies its checks to a temporary folder removed after it."""
    (tmp_path / f"ag-checks-{os.getuid()}").mkdir(mode=0o755)
    (tmp_path / f"ag-checks-{os.getuid()}").chmod(0o755)
    assert checks_home(tmp_path) is None
    check = write(tmp_path / "checks" / "test_a.py", "def test_a():\n    assert True\n")
    with check_copies(((check.parent, Visibility.HIDDEN),), None) as (root, copies, cached):
        assert not cached and (copies[0][0] / "test_a.py").is_file()
    assert not root.exists()


MARGINS = """
import pytest

from autograder.checks import assert_close, record_margin, score_threshold


@pytest.mark.item("m")
def test_threshold_margin():
    score_threshold(0.93, full=0.8, what_fr="précision", what_en="accuracy")


@pytest.mark.item("m")
def test_two_margins_then_fail():
    assert_close([1.0, 2.0], [1.0, 2.0 + 1e-6], name="v", rtol=1e-5)
    record_margin("loss", 0.7, 0.5, higher_is_better=False)
    raise AssertionError("after recording")


@pytest.mark.item("m")
def test_no_margin():
    assert 1 + 1 == 2
"""


def test_margins_are_recorded_per_check_and_never_leak_between_checks(tmp_path):
    write(tmp_path / "hidden" / "test_margins.py", MARGINS)
    results, _ = run([(tmp_path / "hidden", Visibility.HIDDEN)])
    r = {c.name: c for c in results}
    (acc,) = r["test_threshold_margin"].margins
    assert (acc.what, acc.value, acc.threshold, acc.higher_is_better) == ("accuracy", 0.93, 0.8, True)
    assert acc.slack == pytest.approx(0.1625)
    tol, loss = r["test_two_margins_then_fail"].margins
    assert tol.kind == "tolerance" and 0.0 < tol.value < 1.0  # 1e-6 / (1e-8 + 2e-5)
    assert loss.slack < 0  # recorded even though the check then failed
    assert r["test_no_margin"].margins == ()


HOLDS_ARRAYS = """
import weakref

import numpy as np
import pytest

from autograder.checks import CheckFailed, Partial


def big(submission):
    a = np.ones(2**20)
    submission.memo.setdefault("refs", []).append(weakref.ref(a))
    return a


def test_check_failed(submission):
    a = big(submission)
    raise CheckFailed("faux", "wrong")


def test_partial(submission):
    a = big(submission)
    raise Partial(0.5, fr="moitié", en="half")


def test_assert(submission):
    a = big(submission)
    assert a.sum() == 0


def test_chained(submission):
    a = big(submission)
    try:
        {}[a.size]
    except KeyError:
        raise CheckFailed("faux", "wrong") from None


def test_other(submission):
    a = big(submission)
    1 / 0


def test_submission_error(submission):
    a = big(submission)
    submission.call("f", a)
"""


def test_failed_checks_keep_no_array_alive(tmp_path):
    """Pytest keeps each failure's traceback, whose frames hold the check's arrays: the
    plugin drops them once the message is taken (no gc.collect needed)."""
    write(tmp_path / "checks" / "test_holds.py", HOLDS_ARRAYS)
    sub = Submission(None, None, unavailable=REASON)
    results, errors = run_checks(
        CheckRun(sub, ((tmp_path / "checks", Visibility.HIDDEN),), keys(1), "cpu", "fr", tmp_path)
    )
    assert errors == [] and len(results) == 6
    assert all(r.status is not Status.PASSED for r in results)
    refs = sub.memo["refs"]
    assert len(refs) == 6
    # Alone, nothing is left even without a gc run; inside the whole suite an assertion's
    # rewritten explanation can sit in a cycle until the next gc: no reference chain may
    # keep an array alive past it.
    if any(r() is not None for r in refs):
        gc.collect()
    assert [r() is None for r in refs] == [True] * 6
    assert getattr(sys, "last_value", None) is None


QUOTES_SEEDS = """
from autograder.checks import CheckFailed


def test_quotes_the_seed_it_was_given(seed):
    raise CheckFailed(f"entrainer(seed={seed}) puis seed={seed % 2**31} : raté", f"train(seed={seed}) failed")


def test_quotes_a_small_number(seed):
    raise CheckFailed("3 points sur 4, 1000 essais", "3 points out of 4, 1000 trials")


def test_quotes_a_seed_it_drew_and_passed_positionally(rng):
    drawn = int(rng.integers(10**9, 2**31 - 1))
    raise CheckFailed(f"randomiser(m, ['fc2'], {drawn}) : raté, écart 0.12345678, 203530 paramètres",
                      f"randomiser(m, ['fc2'], {drawn}) failed, gap 0.12345678, 203530 parameters")
"""


@pytest.mark.parametrize("visibility", [Visibility.HIDDEN, Visibility.VISIBLE])
def test_hidden_messages_never_show_a_seed_handed_to_student_code(tmp_path, visibility):
    write(tmp_path / "checks" / "test_quotes.py", QUOTES_SEEDS)
    results, errors = run([(tmp_path / "checks", visibility)])
    assert errors == []
    by_name = {r.name: r.message for r in results}
    key = keys().hidden if visibility is Visibility.HIDDEN else keys().public
    handed = key.derive("student", SEED_SCOPE)
    quoted = by_name["test_quotes_the_seed_it_was_given"]
    if visibility is Visibility.HIDDEN:
        for text in (quoted.fr, quoted.en):
            assert str(handed) not in text and str(handed % 2**31) not in text, text
        assert quoted.fr.startswith("entrainer(seed=…) puis seed=…")
    else:  # public checks run on public inputs: nothing to hide
        assert str(handed) in quoted.fr
    assert by_name["test_quotes_a_small_number"].fr == "3 points sur 4, 1000 essais"
    # A seed the check drew and passed positionally (never seen by the proxy as a seed): any
    # integer of 7 digits or more is masked in a hidden message; decimals and counts are kept.
    positional = by_name["test_quotes_a_seed_it_drew_and_passed_positionally"]
    if visibility is Visibility.HIDDEN:
        assert positional.fr == "randomiser(m, ['fc2'], …) : raté, écart 0.12345678, 203530 paramètres"
    else:
        assert "…" not in positional.fr


def shared_code_tp(checks: Path, answer: int) -> None:
    """A TP whose checks share code: a fixture in public/conftest.py, a public helper the
    public and hidden checks import, and a hidden helper only hidden checks import."""
    write(checks / "public" / "helpers.py", f"ANSWER = {answer}\n\ndef close(a, b):\n    return abs(a - b) < 1e-9\n")
    write(checks / "public" / "conftest.py", """
        import pytest

        @pytest.fixture
        def reference():
            return 0.5
    """)
    write(checks / "public" / "test_public.py", """
        import pytest

        from .helpers import ANSWER, close

        @pytest.mark.item("a")
        def test_uses_helper_and_fixture(reference):
            assert close(reference * 2, 1.0)
            assert ANSWER > 0
    """)
    write(checks / "hidden" / "secret_helpers.py", "def hidden_case():\n    return 3\n")
    write(checks / "hidden" / "conftest.py", "from ..public.conftest import reference  # noqa: F401\n")
    write(checks / "hidden" / "test_hidden.py", f"""
        import pytest

        from ..public.helpers import ANSWER, close
        from .secret_helpers import hidden_case

        @pytest.mark.item("a")
        def test_uses_both_helpers(reference):
            assert close(hidden_case() * reference, 1.5) and ANSWER == {answer}
    """)


def test_checks_share_fixtures_and_helper_modules_per_tp(tmp_path):
    """Two TPs with a `helpers` module of the same name, graded in one process: each check
    imports its own TP's (the package around a TP's checks is named for its folders)."""
    for tp, answer in (("tp_a", 1), ("tp_b", 2)):
        checks = tmp_path / tp / "checks"
        shared_code_tp(checks, answer)
        results, errors = run([(checks / "public", Visibility.VISIBLE), (checks / "hidden", Visibility.HIDDEN)])
        assert not errors, errors
        assert [(r.name, r.status) for r in results] == [
            ("test_uses_helper_and_fixture", Status.PASSED),
            ("test_uses_both_helpers", Status.PASSED),
        ], [r.message for r in results]
        assert not list(checks.rglob("__pycache__")) and not list(checks.rglob("__init__.py"))


def test_a_tp_graded_twice_in_one_process_still_finds_its_files_and_lazy_helpers(tmp_path):
    """grade-class, the release proof and prove grade one TP many times in one process, and
    pytest reuses the modules it imported: the second grading must still read a data file
    beside a check and import a helper inside a function; an edited check is read again."""
    checks = tmp_path / "tp" / "checks"
    write(checks / "public" / "table.txt", "42\n")
    write(checks / "public" / "helpers.py", "def answer():\n    return 42\n")
    write(checks / "public" / "test_files.py", """
        from pathlib import Path

        import pytest

        @pytest.mark.item("a")
        def test_reads_a_file_beside_it():
            assert int((Path(__file__).parent / "table.txt").read_text()) == 42

        @pytest.mark.item("a")
        def test_imports_lazily():
            from .helpers import answer
            assert answer() == 42
    """)
    dirs = [(checks / "public", Visibility.VISIBLE)]
    for _ in range(2):
        results, errors = run(dirs)
        assert not errors, errors
        assert [(r.name, r.status) for r in results] == [
            ("test_reads_a_file_beside_it", Status.PASSED),
            ("test_imports_lazily", Status.PASSED),
        ], [r.message for r in results]
    write(checks / "public" / "helpers.py", "def answer():\n    return 41\n")
    results, _ = run(dirs)
    assert [r.status for r in results] == [Status.PASSED, Status.FAILED]


def test_a_check_edited_while_its_copy_is_made_never_lands_under_the_old_name(tmp_path):
    """The copy is written from the one reading its name digests: a file edited between the
    two cannot make a later grading of the old content run the new one (or the reverse)."""
    (tmp_path / "tmp").mkdir()
    home = checks_home(tmp_path / "tmp")
    assert home is not None
    check = write(tmp_path / "checks" / "test_a.py", "def test_a():\n    assert True\n")
    present = [(check.parent, Visibility.HIDDEN)]
    snapshot = _snapshot(present)
    name = _package_name(present, snapshot)
    write(check, "def test_a():\n    assert False\n")  # edited after the reading
    root = _prepared(present, snapshot, name, home)
    assert "True" in (root / name / "checks" / "test_a.py").read_text()
    with check_copies(((check.parent, Visibility.HIDDEN),), home) as (edited, copies, _):
        assert edited != root and "False" in (copies[0][0] / "test_a.py").read_text()


def test_litter_in_a_check_folder_is_neither_copied_nor_part_of_the_name(tmp_path):
    check = write(tmp_path / "checks" / "test_a.py", "def test_a():\n    assert True\n")
    present = [(check.parent, Visibility.HIDDEN)]
    before = _package_name(present, _snapshot(present))
    write(tmp_path / "checks" / ".ipynb_checkpoints" / "test_a-checkpoint.py", "x = 1\n")
    write(tmp_path / "checks" / "__pycache__" / "test_a.cpython-313.pyc", "junk")
    assert _package_name(present, _snapshot(present)) == before
    with check_copies(tuple(present), None) as (_, copies, _):
        assert sorted(p.name for p in copies[0][0].iterdir()) == ["__init__.py", "test_a.py"]


THREADS = """
import torch

from autograder.checks import CheckFailed


def test_threads():
    raise CheckFailed(str(torch.get_num_threads()), str(torch.get_num_threads()))
"""


def test_checks_run_with_the_asked_torch_threads_and_the_grader_gets_its_own_back(tmp_path):
    """The check modules import torch; the setting applies once they are collected and is put
    back after, whatever the grader process had."""
    import torch

    write(tmp_path / "checks" / "test_threads.py", THREADS)
    dirs = [(tmp_path / "checks", Visibility.VISIBLE)]
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        (one,), _ = run(dirs, threads=1)
        assert one.message.fr == "1"
        assert torch.get_num_threads() == 2
        (default,), _ = run(dirs, threads=0)
        assert default.message.fr == "2"  # 0: the process's own setting, untouched
    finally:
        torch.set_num_threads(before)
