"""Where grader-side references run, and how loose comparisons must be there."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.sandbox.device import select_device

__all__ = ["select_device", "tolerance_for", "dtype_name"]  # select_device: the engine's, for check authors

_DEVICES = ("cpu", "cuda")

# Relative tolerance for comparing a result computed in `dtype` with a float64 reference.
# Rounding noise grows with fewer mantissa bits: ~1e-16 (float64), ~1e-7 (float32),
# ~1e-3 (float16), ~1e-2 (bfloat16), amplified by sums over layers and batch entries.
_BASE_TOL = {
    "float64": 1e-6,
    "float32": 1e-3,
    "float16": 1e-2,
    "bfloat16": 5e-2,
}
# cuDNN convolutions may run float32 in TF32 (10-bit mantissa) by default on recent GPUs.
_CUDA_FACTOR = {"float32": 5.0}


def dtype_name(dtype: Any) -> str:
    """`"float32"` for torch.float32, np.float32, np.dtype('float32') or the string itself."""
    if isinstance(dtype, str):
        name = dtype
    elif type(dtype).__module__.startswith("torch"):
        name = str(dtype).removeprefix("torch.")
    else:
        name = np.dtype(dtype).name
    return {"double": "float64", "float": "float32", "half": "float16"}.get(name, name)


def tolerance_for(device: str, dtype: Any) -> float:
    """Relative tolerance for results computed on `device` in `dtype` vs a float64 reference."""
    kind = str(device).strip().lower().split(":", 1)[0]
    if kind not in _DEVICES:
        raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")
    name = dtype_name(dtype)
    if name not in _BASE_TOL:
        raise ValueError(f"no tolerance for dtype {name!r}: expected one of {sorted(_BASE_TOL)}")
    factor = _CUDA_FACTOR.get(name, 1.0) if kind == "cuda" else 1.0
    return _BASE_TOL[name] * factor
