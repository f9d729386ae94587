"""Device selection and per-device tolerances (CUDA cases run only where a GPU is visible)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checks import select_device, tolerance_for

HAS_CUDA = torch.cuda.is_available()


def test_cpu_and_auto():
    assert select_device("cpu") == "cpu"
    assert select_device(" CPU ") == "cpu"
    assert select_device() == ("cuda" if HAS_CUDA else "cpu")


@pytest.mark.skipif(HAS_CUDA, reason="needs a machine without a visible GPU")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="is_available"):
        select_device("cuda")


@pytest.mark.skipif(not HAS_CUDA, reason="needs a visible GPU")
def test_cuda_with_a_gpu():
    assert select_device("cuda") == "cuda"
    assert select_device("cuda:0") == "cuda:0"
    with pytest.raises(ValueError, match="does not exist"):
        select_device(f"cuda:{torch.cuda.device_count()}")


@pytest.mark.parametrize("choice", ["gpu", "mps", "", "cuda0"])
def test_unknown_choices_are_rejected(choice):
    with pytest.raises(ValueError, match="unknown device"):
        select_device(choice)


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
