"""`autograder release` proves a TP before it writes anything (autograder/release/verify.py): on a
scaffolded TP (numpy only, seconds a grading), graded for real through the sandbox.

The scaffold's own scenarios (a wrong answer, a correct variant) pass: the release is written
and says what the proof covered and how long it took. A wrong answer that keeps its points
and a "correct" variant that loses some make it refuse (exit 3, nothing written, the scenario
and the check named) unless `--skip-scenarios` is given, and then the report says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.cli import EXIT_OK, EXIT_REFUSED, main
from autograder.release.scaffold import new_tp

REPO = Path(__file__).resolve().parents[2]
TP = "tp00_preuve"

#: A "wrong answer" that is right (abs(x) ** 2 squares too): every check keeps its points.
WRONG_THAT_IS_RIGHT = '''
    "carre-abs-declared-wrong": Scenario(
        grade_id="carre",
        source="def carre(x):\\n    return abs(x) ** 2\\n",
        must_fail=("test_carre_valeurs_aleatoires",),
    ),
'''
#: A "correct variant" that is wrong (x + x doubles): it loses every point.
CORRECT_THAT_IS_WRONG = '''
    "carre-doubles-declared-correct": Correct(
        grade_id="carre", source="def carre(x):\\n    return x + x\\n", why="declared correct by mistake"
    ),
'''


def scaffolded_course(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copyfile(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    new_tp(root, TP, title_fr="Preuve", title_en="Proof")
    return root


def break_the_proof(root: Path) -> None:
    """Add a wrong answer that keeps its points and a correct variant that loses them."""
    path = root / "source" / TP / "scenarios.py"
    text = path.read_text(encoding="utf-8")
    text = text.replace("SCENARIOS: dict[str, Scenario] = {\n", "SCENARIOS: dict[str, Scenario] = {" + WRONG_THAT_IS_RIGHT, 1)
    text = text.replace('"carre-wrong": ("carre-doubles-instead-of-squaring",),',
                        '"carre-wrong": ("carre-doubles-instead-of-squaring",),\n    "carre-abs": ("carre-abs-declared-wrong",),')
    text = text.replace("CORRECT: dict[str, Correct] = {\n", "CORRECT: dict[str, Correct] = {" + CORRECT_THAT_IS_WRONG, 1)
    text = text.replace('"carre-correct": ("carre-product",),',
                        '"carre-correct": ("carre-product",),\n    "carre-bad": ("carre-doubles-declared-correct",),')
    path.write_text(text, encoding="utf-8")


def test_release_proves_the_scaffold_and_refuses_a_broken_proof(tmp_path, capsys):
    root = scaffolded_course(tmp_path / "course")
    args = ["release", TP, "--course", str(root), "--lang", "en"]

    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert f"source/{TP}/scenarios.py: 1 wrong answers in 1 gradings, 1 correct variants in 1" in out
    assert "the proof took" in out and (root / "release" / TP / f"{TP}.ipynb").is_file()
    assert not (root / "release" / TP / "scenarios.py").exists()

    shutil.rmtree(root / "release")
    shutil.rmtree(root / "solutions")
    break_the_proof(root)
    assert main(args) == EXIT_REFUSED
    captured = capsys.readouterr()
    err = captured.err
    assert "nothing written" in err, err
    assert ("wrong answers carre-abs (carre-abs-declared-wrong): carre-abs-declared-wrong: "
            "test_carre_valeurs_aleatoires should lose points but kept 2.0/2.0") in err
    assert "correct variants carre-bad (carre-doubles-declared-correct): carre::test_carre_exemples 0.0/1.0" in err
    assert "carre-doubles-instead-of-squaring" not in err  # the honest scenarios pass
    assert "the proof took" in captured.out
    assert not (root / "release").exists() and not (root / "solutions").exists()

    assert main([*args, "--skip-scenarios"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "scenarios SKIPPED (--skip-scenarios)" in out and "scenarios SKIPPED; proof" in out
    assert (root / "release" / TP / f"{TP}.ipynb").is_file()


def test_a_scenarios_file_that_does_not_load_refuses_the_release(tmp_path, capsys):
    root = scaffolded_course(tmp_path / "course")
    (root / "source" / TP / "scenarios.py").write_text("SCENARIOS = {\n", encoding="utf-8")
    assert main(["release", TP, "--course", str(root), "--lang", "en"]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert f"source/{TP}/scenarios.py does not load: SyntaxError" in err
    assert not (root / "release").exists()


def test_a_check_file_that_does_not_import_refuses_the_release(tmp_path, capsys):
    """Its points would be out of the solution's total too: "full marks" would prove nothing."""
    root = scaffolded_course(tmp_path / "course")
    hidden = root / "source" / TP / "checks" / "hidden"
    hidden.mkdir(parents=True, exist_ok=True)
    (hidden / "test_casse.py").write_text("import module_qui_n_existe_pas\n", encoding="utf-8")
    assert main(["release", TP, "--course", str(root), "--lang", "en", "--skip-scenarios"]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "a check file does not import" in err and "test_casse.py" in err
    assert not (root / "release").exists()


def test_a_hidden_message_showing_its_expected_value_refuses_the_release(tmp_path, capsys):
    """The leak test runs in the release's proof, not only in the course's slow step: a hint
    that prints carre(x) on the hidden x would let a student hard-code it."""
    root = scaffolded_course(tmp_path / "course")
    hidden = root / "source" / TP / "checks" / "hidden" / "test_hidden.py"
    text = hidden.read_text(encoding="utf-8")
    text = text.replace('hint_fr="carre doit aussi accepter un simple nombre"', 'hint_fr=f"attendu {x**2:.4f}"')
    hidden.write_text(text, encoding="utf-8")
    assert main(["release", TP, "--course", str(root), "--lang", "en"]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "(carre-doubles-instead-of-squaring): carre-wrong: leak: test_carre_nombre [fr] carre(x) pour un nombre x" in err, err
    assert not (root / "release").exists()
