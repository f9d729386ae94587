"""Per-device tolerances (device selection: tests/sandbox/test_device.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checks import tolerance_for

HAS_CUDA = torch.cuda.is_available()


def test_tolerances_follow_precision_and_device():
    assert tolerance_for("cpu", torch.float64) == 1e-6
    assert tolerance_for("cpu", torch.float32) == 1e-3
    assert tolerance_for("cpu", torch.float64) < tolerance_for("cpu", torch.float32)
    assert tolerance_for("cpu", torch.float32) < tolerance_for("cpu", torch.float16)
    assert tolerance_for("cpu", torch.float16) < tolerance_for("cpu", torch.bfloat16)
    assert tolerance_for("cuda", torch.float32) > tolerance_for("cpu", torch.float32)  # TF32
    assert tolerance_for("cuda:1", torch.float64) == tolerance_for("cpu", torch.float64)


@pytest.mark.parametrize(
    "dtype", [torch.float32, np.float32, np.dtype("float32"), "float32", torch.float]
)
def test_dtype_spellings_agree(dtype):
    assert tolerance_for("cpu", dtype) == 1e-3


def test_unknown_device_or_dtype_is_an_error():
    with pytest.raises(ValueError):
        tolerance_for("tpu", torch.float32)
    with pytest.raises(ValueError):
        tolerance_for("cpu", torch.int64)
