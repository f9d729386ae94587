"""The statement's signatures: default arguments a student must keep.

The notebook and the grader call some functions with arguments left to their defaults
("ne changez pas leurs paramètres"), so a changed default is a changed answer. The message
names the parameter and the student's value, never the expected one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from autograder.bridge.proxy import Submission
from autograder.checks.errors import CheckFailed

#: Kernel-side reader of a signature; the name is the library's, not a TP's or the student's.
READ_DEFAULTS = "_ag_valeurs_par_defaut"
READ_DEFAULTS_SOURCE = f'''
def {READ_DEFAULTS}(name):
    """Each parameter's default as plain data: a number, None, "<required>" or a short repr."""
    import inspect
    import math

    if name not in globals():
        return None  # not defined: the calls themselves say so, naming the function
    try:
        params = inspect.signature(globals()[name]).parameters.values()
    except (TypeError, ValueError):
        return None
    out = {{}}
    for p in params:
        v = p.default
        if v is inspect.Parameter.empty:
            v = "<required>"
        elif v is None or (type(v) is float and math.isfinite(v)) or (type(v) is int and abs(v) <= 2**53):
            pass
        else:
            try:
                v = repr(v)[:40]
            except Exception:
                v = "<" + type(v).__name__ + ">"
        out[str(p.name)] = v
    return out
'''

#: What follows "n'a plus la valeur par défaut de l'énoncé ;" by default.
KEEP_SIGNATURE = (
    "gardez la signature donnée, le notebook et le correcteur comptent sur ses valeurs par défaut",
    "keep the given signature, the notebook and the grader rely on its defaults",
)


def _same(value: object, expected: object) -> bool:
    if expected is None:
        return value is None
    if isinstance(expected, str):  # the reader sends a string default as its repr
        return isinstance(value, str) and value == repr(expected)[:40]
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and abs(value) < 1e300
        and math.isclose(value, float(expected), rel_tol=1e-9, abs_tol=0.0)  # type: ignore[arg-type]
    )


def assert_signature_defaults(
    submission: Submission,
    name: str,
    defaults: Mapping[str, float | int | str | None],
    *,
    advice: tuple[str, str] = KEEP_SIGNATURE,
    grader_fr: str = "le correcteur",
    missing_apart: bool = True,
) -> None:
    """Fail when a default of the notebook function `name` differs from `defaults`.

    A function the notebook does not define, or whose signature cannot be read, passes:
    the calls themselves name it. A parameter missing from the signature has a message of
    its own ("… passe ses arguments par leur nom", `grader_fr` naming the grader), or with
    `missing_apart=False` is a changed default shown as "paramètre absent". `advice` ends
    the message of a changed default.
    """
    submission.define(READ_DEFAULTS, READ_DEFAULTS_SOURCE)
    got = submission.call(READ_DEFAULTS, name)
    if not isinstance(got, dict):
        return
    for param, expected in defaults.items():
        if param not in got and missing_apart:
            raise CheckFailed(
                f"le paramètre {param} a disparu de la signature de {name} : gardez la "
                f"signature donnée dans l'énoncé ({grader_fr} passe ses arguments par leur nom)",
                f"the parameter {param} is missing from the signature of {name}: keep the "
                "signature given in the statement (the grader passes arguments by name)",
            )
        value = got.get(param, "<absent>")
        if _same(value, expected):
            continue
        shown = f"{param}={value}"
        if isinstance(value, str) and value in ("<required>", "<absent>"):
            shown = "sans valeur par défaut" if value == "<required>" else "paramètre absent"
        raise CheckFailed(
            f"la signature de {name} a changé ({shown}) : {param} n'a plus la valeur par "
            f"défaut de l'énoncé ; {advice[0]}",
            f"the signature of {name} changed ({shown}): {param} no longer has the "
            f"statement's default value; {advice[1]}",
        )
