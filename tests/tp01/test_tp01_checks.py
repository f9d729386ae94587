"""TP01's checks, graded for real: the solution earns everything, the release nothing, and
every realistic mistake in scenarios.py loses exactly the points it should, with a hint.

Each grading starts a sandboxed kernel (several seconds), so scenarios touching
independent items share one graded notebook (see GROUPS in scenarios.py).
"""

from tests.tp_harness import tp_tests

globals().update(tp_tests("tp01_gradients", __file__))
