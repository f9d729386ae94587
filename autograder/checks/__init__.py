"""The check library TP authors use in pytest checks.

Every value from student code is hostile: validate it (`as_array`, `as_float`, `as_int`)
before comparing; the `assert_*` helpers do so themselves. Fail with `CheckFailed`, give
partial credit with `Partial`; both carry a French/English message for the student.

A check imports everything it needs from here, the submission's values and errors included
(`Handle`, `Tensor`, `Ref`, `StudentError`, …): the engine's modules are not the author's.
"""

from autograder.bridge.proxy import Submission
from autograder.bridge.values import (
    BadValue,
    Handle,
    KernelDied,
    Ref,
    StudentError,
    StudentTimeout,
    SubmissionError,
    Tensor,
)
from autograder.checks.answers import (
    RETURNS_MODULE,
    allclose,
    as_bool,
    as_module,
    as_pair,
    shape_text,
)
from autograder.checks.batches import check_epoch_batches, check_reshuffled_epochs
from autograder.checks.calibration import Bin, ece, mce, reliability_bins
from autograder.checks.classify import (
    accuracy,
    as_logits,
    digits,
    digits_split,
    eval_outputs,
    input_dtype,
    looks_like_probabilities,
    module_outputs,
    train_classifier,
)
from autograder.checks.determinism import derive_seed, float64, seed_everything
from autograder.checks.device import select_device, tolerance_for
from autograder.checks.errors import CheckFailed, Partial, missing_attribute, without_sizes
from autograder.checks.failures import TORCH_SHAPE_ERRORS, sizes_hidden, student_failure
from autograder.checks.generators import (
    generators_text,
    global_generator_digests,
    global_generators_moved_by,
    moved_generators,
)
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
from autograder.checks.hints import SHAPE_ERRORS, call_with_hint, hinted
from autograder.checks.inplace import (
    arguments_after_call,
    arguments_changed,
    assert_arguments_untouched,
    changed_argument_names,
)
from autograder.checks.kernel_code import KernelSide, KernelSideError, kernel_side
from autograder.checks.loops import (
    OptimiserWords,
    assert_one_optimiser,
    assert_seed_used,
    check_fresh_gradients,
    check_seeded_order,
    note_fresh_gradients,
    watch_draws,
    watch_optimisers,
)
from autograder.checks.losses import LossReading, read_regression_loss
from autograder.checks.margins import record_expected, record_margin
from autograder.checks.memo import once_per_submission
from autograder.checks.models import built_module, describe_module, module_info, seed_torch
from autograder.checks.notebook_reads import (
    NotebookReads,
    notebook_data_reads,
    notebook_model_reads,
)
from autograder.checks.params import (
    assert_param_count,
    count_parameters,
    mlp_param_count,
    module_param_breakdown,
    param_breakdown,
)
from autograder.checks.references import relabel, with_references
from autograder.checks.signature import assert_signature_defaults
from autograder.checks.thresholds import TimeBudget, score_threshold
from autograder.checks.training import returned_model, trained_model
from autograder.checks.values import (
    MAX_ELEMENTS,
    as_array,
    as_float,
    as_int,
    assert_close,
    assert_equal_int,
    fmt_order,
    fmt_pair,
    fmt_shape,
)

__all__ = [
    "accuracy",
    "allclose",
    "as_array",
    "as_bool",
    "as_float",
    "as_int",
    "as_logits",
    "as_module",
    "as_pair",
    "arguments_after_call",
    "arguments_changed",
    "assert_arguments_untouched",
    "assert_close",
    "assert_equal_int",
    "assert_gradient_close",
    "assert_one_optimiser",
    "assert_seed_used",
    "assert_param_count",
    "assert_signature_defaults",
    "BadValue",
    "Bin",
    "built_module",
    "call_with_hint",
    "check_epoch_batches",
    "check_reshuffled_epochs",
    "check_fresh_gradients",
    "check_seeded_order",
    "changed_argument_names",
    "CheckFailed",
    "count_parameters",
    "derive_seed",
    "describe_module",
    "digits",
    "digits_split",
    "looks_like_probabilities",
    "read_regression_loss",
    "ece",
    "eval_outputs",
    "float64",
    "fmt_order",
    "fmt_pair",
    "fmt_shape",
    "generators_text",
    "global_generator_digests",
    "global_generators_moved_by",
    "gradcheck",
    "Handle",
    "hinted",
    "KernelDied",
    "KernelSide",
    "KernelSideError",
    "kernel_side",
    "train_classifier",
    "note_fresh_gradients",
    "input_dtype",
    "LibraryGuard",
    "LossReading",
    "MAX_ELEMENTS",
    "mce",
    "missing_attribute",
    "mlp_param_count",
    "module_info",
    "moved_generators",
    "NotebookReads",
    "notebook_data_reads",
    "notebook_model_reads",
    "module_param_breakdown",
    "module_outputs",
    "numerical_gradient",
    "once_per_submission",
    "OptimiserWords",
    "param_breakdown",
    "Partial",
    "record_expected",
    "record_margin",
    "Ref",
    "rel_error",
    "relabel",
    "RETURNS_MODULE",
    "reliability_bins",
    "SCIPY_RANKS",
    "score_threshold",
    "seed_everything",
    "seed_torch",
    "select_device",
    "SHAPE_ERRORS",
    "sizes_hidden",
    "shape_text",
    "StudentError",
    "student_failure",
    "StudentTimeout",
    "Submission",
    "SubmissionError",
    "Tensor",
    "TimeBudget",
    "tolerance_for",
    "TORCH_ATTENTION",
    "TORCH_CONVOLUTIONS",
    "TORCH_SHAPE_ERRORS",
    "without_sizes",
    "torch_grads",
    "returned_model",
    "trained_model",
    "watch_draws",
    "watch_optimisers",
    "with_references",
    "without_library_source",
]
