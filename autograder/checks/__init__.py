"""The check library TP authors use in pytest checks.

Every value from student code is hostile: validate it (`as_array`, `as_float`, `as_int`)
before comparing; the `assert_*` helpers do so themselves. Fail with `CheckFailed`, give
partial credit with `Partial`; both carry a French/English message for the student.
"""

from autograder.checks.batches import check_epoch_batches
from autograder.checks.calibration import Bin, ece, mce, reliability_bins
from autograder.checks.determinism import derive_seed, float64, seed_everything
from autograder.checks.device import select_device, tolerance_for
from autograder.checks.errors import CheckFailed, Partial
from autograder.checks.gradients import (
    assert_gradient_close,
    gradcheck,
    numerical_gradient,
    rel_error,
    torch_grads,
)
from autograder.checks.guards import (
    SCIPY_RANKS,
    TORCH_ATTENTION,
    TORCH_CONVOLUTIONS,
    LibraryGuard,
    without_library_source,
)
from autograder.checks.margins import record_expected, record_margin
from autograder.checks.memo import once_per_submission
from autograder.checks.params import (
    assert_param_count,
    count_parameters,
    mlp_param_count,
    param_breakdown,
)
from autograder.checks.references import relabel, with_references
from autograder.checks.thresholds import TimeBudget, score_threshold
from autograder.checks.values import (
    MAX_ELEMENTS,
    as_array,
    as_float,
    as_int,
    assert_close,
    assert_equal_int,
)

__all__ = [
    "MAX_ELEMENTS",
    "Bin",
    "CheckFailed",
    "check_epoch_batches",
    "LibraryGuard",
    "Partial",
    "SCIPY_RANKS",
    "TORCH_ATTENTION",
    "TORCH_CONVOLUTIONS",
    "TimeBudget",
    "as_array",
    "as_float",
    "as_int",
    "assert_close",
    "assert_equal_int",
    "assert_gradient_close",
    "assert_param_count",
    "count_parameters",
    "derive_seed",
    "ece",
    "float64",
    "gradcheck",
    "mce",
    "mlp_param_count",
    "once_per_submission",
    "numerical_gradient",
    "param_breakdown",
    "relabel",
    "reliability_bins",
    "record_expected",
    "record_margin",
    "rel_error",
    "score_threshold",
    "seed_everything",
    "select_device",
    "tolerance_for",
    "torch_grads",
    "with_references",
    "without_library_source",
]
