"""The Landlock view of a kernel (autograder.sandbox.landlock)."""

from __future__ import annotations

from pathlib import Path

from autograder.sandbox.kernel import kernel_socket_dir
from autograder.sandbox.landlock import LANDLOCK_SYSTEM, exchange_root, landlock_rules


def test_a_kernel_writes_only_its_work_folder_and_its_sockets(tmp_path):
    work, run = tmp_path / "work", tmp_path / "run"
    rules = landlock_rules(work, run, [Path("/opt/python")], "cpu")
    assert rules["write"] == [str(work), str(kernel_socket_dir(run))]
    assert rules["exchange"] == [str(exchange_root(run))] == [str(run / "exchange")]
    assert set(LANDLOCK_SYSTEM) <= set(rules["read"]) and "/opt/python" in rules["read"]
    assert str(tmp_path) not in rules["read"]  # the course, other students, the reports
    assert not any("nvidia" in d for d in rules["devices"])
