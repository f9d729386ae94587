"""Which device the kernel and the grader's references use for a grading.

An engine step (grade.py picks it once per grading); check authors reach it through
`autograder.checks.select_device`. Asking for CUDA where there is none is a clear error for
the person who asked, never a silent fall-back to the CPU: timings and tolerances would
change without anyone noticing.
"""

from __future__ import annotations

import importlib.metadata
import os

from autograder.config import ConfigError
from autograder.results import Message


class DeviceUnavailable(ConfigError, ValueError):
    """The device asked for (--device, [tool.autograder] device) does not exist here."""


#: What a GPU driver torch can use leaves on Linux (NVIDIA, ROCm's HIP, WSL's GPU bridge).
GPU_DRIVER_PATHS = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd", "/dev/dxg")


def visible_cuda_devices(driver_paths: tuple[str, ...] = GPU_DRIVER_PATHS) -> tuple[int, str]:
    """(how many CUDA devices torch sees, torch's version): what `select_device` decides on.

    Where no GPU driver is present torch can see no device, and the answer comes without
    importing torch: a class grading's parent process then never pays that import (a
    second, on a CPU machine) before it starts the kernels' fork server."""
    if not any(os.path.exists(p) for p in driver_paths):
        try:
            return 0, importlib.metadata.version("torch")
        except importlib.metadata.PackageNotFoundError:
            return 0, "(not installed)"
    import torch

    return (torch.cuda.device_count() if torch.cuda.is_available() else 0), torch.__version__


def select_device(choice: str = "auto", *, visible: tuple[int, str] | None = None) -> str:
    """`"auto"` picks CUDA when torch sees a GPU; `"cpu"`, `"cuda"` or `"cuda:N"` as asked.

    `visible` is (CUDA device count, torch version), probed when not given: tests pass the
    machine they stand for instead of patching torch."""
    wanted = str(choice).strip().lower()
    if wanted == "cpu":
        return "cpu"
    if wanted != "auto" and wanted != "cuda" and not wanted.startswith("cuda:"):
        raise DeviceUnavailable(
            Message(
                fr=f"périphérique {choice!r} inconnu : 'auto', 'cpu', 'cuda' ou 'cuda:N' attendu",
                en=f"unknown device {choice!r}: expected 'auto', 'cpu', 'cuda' or 'cuda:N'",
            )
        )
    count, version = visible if visible is not None else visible_cuda_devices()
    if wanted == "auto":
        return "cuda" if count else "cpu"
    if not count:
        raise DeviceUnavailable(
            Message(
                fr=f"le périphérique {choice!r} est demandé mais aucun GPU n'est visible "
                f"(torch.cuda.is_available() est faux : pas de GPU, ou torch {version} sans CUDA) ; "
                "utilisez --device auto ou cpu",
                en=f"device {choice!r} was requested but torch.cuda.is_available() is False "
                f"(no GPU visible, or a CPU-only torch {version}); use device 'auto' or 'cpu'",
            )
        )
    if wanted != "cuda":
        index = wanted.split(":", 1)[1]
        if not index.isdigit() or int(index) >= count:
            raise DeviceUnavailable(
                Message(
                    fr=f"le périphérique {choice!r} n'existe pas : {count} GPU CUDA visible(s) ; "
                    f"utilisez cuda:0 à cuda:{count - 1}, ou auto",
                    en=f"device {choice!r} does not exist: {count} CUDA device(s) visible",
                )
            )
    return wanted
