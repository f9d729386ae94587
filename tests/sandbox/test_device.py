"""device: the device a grading uses, decided on what the machine shows (passed in here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.checks import select_device as for_check_authors
from autograder.errors import AutograderError
from autograder.sandbox.device import DeviceUnavailable, select_device, visible_cuda_devices

ROOT = Path(__file__).resolve().parents[2]

NO_GPU = (0, "2.13.0+cpu")
TWO_GPUS = (2, "2.13.0+cu128")


def test_auto_takes_a_gpu_when_there_is_one():
    assert select_device("auto", visible=NO_GPU) == "cpu"
    assert select_device("auto", visible=TWO_GPUS) == "cuda"
    assert select_device(" CPU ", visible=TWO_GPUS) == "cpu"


def test_cuda_without_a_gpu_says_why_and_the_fix_in_both_languages():
    with pytest.raises(DeviceUnavailable) as info:
        select_device("cuda", visible=NO_GPU)
    assert isinstance(info.value, AutograderError) and isinstance(info.value, ValueError)
    assert "aucun GPU" in info.value.text("fr") and "--device auto ou cpu" in info.value.text("fr")
    assert "is_available" in info.value.text("en") and "2.13.0+cpu" in info.value.text("en")


def test_a_gpu_index_must_exist():
    assert select_device("cuda:1", visible=TWO_GPUS) == "cuda:1"
    for choice in ("cuda:2", "cuda:x"):
        with pytest.raises(DeviceUnavailable, match="does not exist"):
            select_device(choice, visible=TWO_GPUS)


@pytest.mark.parametrize("choice", ["gpu", "mps", "", "cuda0"])
def test_unknown_choices_are_refused_before_probing(choice):
    with pytest.raises(DeviceUnavailable, match="unknown device"):
        select_device(choice, visible=TWO_GPUS)


def test_check_authors_get_the_same_function():
    assert for_check_authors is select_device


def test_the_cli_says_it_in_one_line_instead_of_a_traceback(tmp_path):
    """--device cuda on a machine without one: exit 2 and the reason, before any kernel."""
    import subprocess
    import sys

    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from tests.course_builder import (
        MINI,
        StudentRepo,
        build_course,
        notebook_path,
        student_notebook,
    )

    course = build_course(tmp_path / "course")
    repo = StudentRepo(tmp_path / "student")
    ref = repo.commit({notebook_path(): student_notebook()}, "sujet")
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "--course", str(course.root), "--repo", str(repo.path),
         "--ref", ref, "--tp", MINI, "--out", str(tmp_path / "out"), "--device", "cuda", "--lang", "en"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("autograder: device 'cuda' was requested")
    assert "Traceback" not in proc.stderr


def test_without_a_gpu_driver_no_device_is_seen_and_torch_is_not_imported(tmp_path):
    """A class grading's parent asks for the device before it starts the kernels' fork
    server: on a machine with no GPU driver that answer must not cost torch's import."""
    code = (
        "import sys\n"
        "from autograder.sandbox.device import visible_cuda_devices\n"
        f"count, version = visible_cuda_devices(({str(tmp_path / 'no-driver')!r},))\n"
        "assert count == 0 and version, (count, version)\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_with_a_driver_present_torch_decides(tmp_path):
    import torch

    driver = tmp_path / "nvidiactl"
    driver.touch()
    count, version = visible_cuda_devices((str(driver),))
    assert version == torch.__version__
    assert count == (torch.cuda.device_count() if torch.cuda.is_available() else 0)
