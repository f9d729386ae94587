"""checks.signature: a changed default of the statement's signature fails the check, naming
the parameter and the student's value; what cannot be read passes for the calls to report."""

from __future__ import annotations

import pytest

from autograder.checks import CheckFailed, assert_signature_defaults


class InProcess:
    """What `submission` does with a kernel, in this process: define and call in one namespace."""

    def __init__(self, notebook: str = "") -> None:
        self.ns: dict = {}
        exec(notebook, self.ns)

    def define(self, name: str, source: str) -> None:
        exec(source, self.ns)

    def call(self, name: str, *args, timeout=None, **kwargs):
        return self.ns[name](*args, **kwargs)


DEFAULTS = {"epochs": 15, "lr": 0.01, "eps": None}


def _message(notebook: str, **options) -> tuple[str, str]:
    with pytest.raises(CheckFailed) as info:
        assert_signature_defaults(InProcess(notebook), "entrainer", DEFAULTS, **options)
    return info.value.message.fr, info.value.message.en


def test_the_statement_defaults_pass_also_written_otherwise():
    for notebook in (
        "def entrainer(X, epochs=15, lr=0.01, eps=None): pass",
        "def entrainer(X, epochs=15.0, lr=1e-2, eps=None, extra=3): pass",
        "def entrainer(X, *, epochs=15, lr=0.01, eps=None, **kw): pass",
    ):
        assert_signature_defaults(InProcess(notebook), "entrainer", DEFAULTS)


def test_a_changed_default_names_the_parameter_and_the_students_value_only():
    fr, en = _message("def entrainer(X, epochs=3, lr=0.01, eps=None): pass")
    assert fr == (
        "la signature de entrainer a changé (epochs=3) : epochs n'a plus la valeur par défaut "
        "de l'énoncé ; gardez la signature donnée, le notebook et le correcteur comptent sur "
        "ses valeurs par défaut"
    )
    assert en.startswith("the signature of entrainer changed (epochs=3): epochs no longer")
    assert "15" not in fr + en
    fr, _ = _message("def entrainer(X, epochs=15, lr=0.01, eps=0.1): pass")
    assert "(eps=0.1)" in fr
    fr, _ = _message("def entrainer(X, epochs=15, lr=0.01, eps=False): pass")
    assert "(eps=False)" in fr


def test_a_required_parameter_and_the_advice():
    fr, en = _message(
        "def entrainer(X, epochs, lr=0.01, eps=None): pass",
        advice=("ne changez pas les paramètres", "do not change the parameters"),
    )
    assert "(sans valeur par défaut) : epochs" in fr and fr.endswith("; ne changez pas les paramètres")
    assert en.endswith("; do not change the parameters")


def test_a_missing_parameter_has_its_own_message_or_shows_as_absent():
    notebook = "def entrainer(X, lr=0.01, eps=None): pass"
    fr, en = _message(notebook, grader_fr="la correction")
    assert fr == (
        "le paramètre epochs a disparu de la signature de entrainer : gardez la signature "
        "donnée dans l'énoncé (la correction passe ses arguments par leur nom)"
    )
    assert en.endswith("(the grader passes arguments by name)")
    fr, _ = _message(notebook, missing_apart=False)
    assert fr.startswith("la signature de entrainer a changé (paramètre absent) : epochs")


def test_a_decorator_without_wraps_loses_the_parameters():
    fr, _ = _message(
        "def deco(f):\n    def g(*a, **k):\n        return f(*a, **k)\n    return g\n"
        "@deco\ndef entrainer(X, epochs=15, lr=0.01, eps=None): pass"
    )
    assert fr.startswith("le paramètre epochs a disparu de la signature de entrainer")
    assert_signature_defaults(
        InProcess(
            "import functools\ndef deco(f):\n    @functools.wraps(f)\n    def g(*a, **k):\n"
            "        return f(*a, **k)\n    return g\n"
            "@deco\ndef entrainer(X, epochs=15, lr=0.01, eps=None): pass"
        ),
        "entrainer",
        DEFAULTS,
    )


def test_values_a_float_cannot_hold_or_that_are_not_numbers_are_shown_not_crashed_on():
    fr, _ = _message(f"def entrainer(X, epochs={10**400}, lr=0.01, eps=None): pass")
    assert fr.startswith("la signature de entrainer a changé (epochs=1000000000")
    fr, _ = _message("def entrainer(X, epochs=float('inf'), lr=0.01, eps=None): pass")
    assert "(epochs=inf)" in fr
    fr, _ = _message("def entrainer(X, epochs='15', lr=0.01, eps=None): pass")
    assert "(epochs='15')" in fr
    fr, _ = _message(
        "class R:\n    def __repr__(self):\n        raise RuntimeError('no')\n"
        "def entrainer(X, epochs=R(), lr=0.01, eps=None): pass"
    )
    assert "(epochs=<R>)" in fr
    fr, _ = _message("def entrainer(X, epochs=[1] * 100, lr=0.01, eps=None): pass")
    assert len(fr.split("(epochs=")[1].split(")")[0]) <= 40


def test_a_function_the_notebook_lacks_or_an_unreadable_signature_passes():
    assert_signature_defaults(InProcess(""), "entrainer", DEFAULTS)
    assert_signature_defaults(InProcess("entrainer = 3"), "entrainer", DEFAULTS)


class _Answers:
    """A kernel whose reader returned something else than the names and values it sends."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def define(self, name: str, source: str) -> None:
        pass

    def call(self, name: str, *args, **kwargs):
        return self.answer


def test_an_answer_of_another_shape_is_a_message_not_a_crash():
    for answer in (None, [1, 2], "x"):
        assert_signature_defaults(_Answers(answer), "entrainer", DEFAULTS)  # type: ignore[arg-type]
    for answer, shown in (({"epochs": [15], "lr": 0.01, "eps": None}, "epochs=[15]"),
                          ({"epochs": True, "lr": 0.01, "eps": None}, "epochs=True"),
                          ({"epochs": {"a": 1}, "lr": 0.01, "eps": None}, "epochs={'a': 1}")):
        with pytest.raises(CheckFailed) as info:
            assert_signature_defaults(_Answers(answer), "entrainer", DEFAULTS)  # type: ignore[arg-type]
        assert f"({shown})" in info.value.message.fr


def test_a_string_default_is_compared_by_its_value():
    defaults = {"agregation": "somme"}
    for notebook in ('def couche(X, agregation="somme"): pass', "def couche(X, agregation='somme'): pass"):
        assert_signature_defaults(InProcess(notebook), "couche", defaults)
    for notebook, shown in (('def couche(X, agregation="moyenne"): pass', "agregation='moyenne'"),
                            ("def couche(X, agregation=None): pass", "agregation=None"),
                            ("def couche(X, agregation): pass", "sans valeur par défaut")):
        with pytest.raises(CheckFailed) as info:
            assert_signature_defaults(InProcess(notebook), "couche", defaults)
        assert f"({shown})" in info.value.message.fr and "somme" not in info.value.message.fr
