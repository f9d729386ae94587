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

from autograder.bridge.proxy import Submission
from autograder.checks.errors import CheckFailed

HELPER = "_autograder_nbgrader_test"

HELPER_SOURCE = f'''
def {HELPER}(source, label, hidden):
    ns = globals()
    before = set(ns)
    fname = "<" + label + ">"

    def failed_line(exc):
        tb, line = exc.__traceback__, 0
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == fname:
                line = tb.tb_lineno
            tb = tb.tb_next
        lines = source.splitlines()
        return lines[line - 1].strip()[:300] if 0 < line <= len(lines) else ""

    try:
        exec(compile(source, fname, "exec"), ns)
        out = (True, "", "", "")
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # any error costs the cell's points, as in nbgrader
        if hidden:
            out = (False, "AssertionError" if isinstance(exc, AssertionError) else "", "", "")
        else:
            ename = "AssertionError" if isinstance(exc, AssertionError) else type(exc).__name__[:100]
            out = (False, ename, str(exc)[:500], failed_line(exc))
        exc = None
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
    ok, ename, text, line = submission.call(HELPER, source, f"nbgrader test {cell}", hidden)
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
    line = str(line)[:300]
    raise CheckFailed(
        fr=f"le test « {cell} » a échoué : {why_fr}" + (f" (ligne « {line} »)" if line else ""),
        en=f"test '{cell}' failed: {why_en}" + (f" (line '{line}')" if line else ""),
    )
