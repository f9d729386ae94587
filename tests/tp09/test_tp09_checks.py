"""TP09's checks, graded for real: the solution earns everything, the release nothing, and
every realistic mistake in scenarios.py loses exactly the points it should, with a hint.

Each grading starts a sandboxed kernel and trains small encoders (tens of seconds), so
scenarios touching independent items share one graded notebook (see GROUPS in scenarios.py).
"""

import pytest

from tests.tp_harness import tp_tests

# Every test here grades notebooks in the sandboxed kernel: the slow CI step.
pytestmark = pytest.mark.slow

globals().update(tp_tests("tp09_ssl", __file__))
