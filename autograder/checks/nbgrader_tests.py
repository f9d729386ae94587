"""Run an nbgrader test cell (its asserts) in the student's kernel, as a check.

`autograder import-nbgrader` turns each autograder test cell of an nbgrader notebook into
a check that calls `run_test_cell`. nbgrader runs a test cell in the notebook's namespace,
after the cells above it; here the cell's source runs in the same namespace, after every
cell of the submission, through a small kernel-side helper defined again before each call
(student code that ran earlier cannot have replaced it). An AssertionError, or any other
error, costs the cell's points, as nbgrader scores it.

A hidden cell's source reaches the kernel only as the argument of that call, at grading
time, after the public checks: the helper compiles it under a neutral file name (no line
of it in a traceback), removes every name it bound in the notebook's namespace and keeps
nothing; the grader removes the call's request files once it has answered. Its failure
message names the cell only, never the assertion's text (which student code can choose).
"""

from __future__ import annotations

from autograder.checks.errors import CheckFailed
from autograder.proxy import Submission

HELPER = "_autograder_nbgrader_test"

HELPER_SOURCE = f'''
def {HELPER}(source, label, hidden):
    ns = globals()
    before = set(ns)
    try:
        exec(compile(source, "<" + label + ">", "exec"), ns)
        out = (True, "", "")
    except AssertionError as exc:
        out = (False, "AssertionError", "" if hidden else str(exc)[:500])
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the cell's other errors cost its points, as in nbgrader
        out = (False, "" if hidden else type(exc).__name__[:100], "" if hidden else str(exc)[:500])
    finally:
        if hidden:
            for name in set(ns) - before:
                ns.pop(name, None)
        source = None
    return out
'''


def run_test_cell(submission: Submission, cell: str, source: str, *, hidden: bool) -> None:
    """Run the nbgrader test cell `cell` in the kernel; raise CheckFailed when it fails."""
    submission.define(HELPER, HELPER_SOURCE)
    ok, ename, text = submission.call(HELPER, source, f"nbgrader test {cell}", hidden)
    if ok is True:
        return
    if hidden:
        raise CheckFailed(
            fr=f"le test caché « {cell} » a échoué",
            en=f"hidden test '{cell}' failed",
        )
    ename, text = str(ename)[:100], str(text)[:500]
    if ename == "AssertionError":
        why_fr = f"une assertion est fausse{' : ' + text if text else ''}"
        why_en = f"an assertion is false{': ' + text if text else ''}"
    else:
        why_fr = f"erreur {ename}{' : ' + text if text else ''}"
        why_en = f"error {ename}{': ' + text if text else ''}"
    raise CheckFailed(
        fr=f"le test « {cell} » a échoué : {why_fr}",
        en=f"test '{cell}' failed: {why_en}",
    )
