"""slot: what a pool of kernels is made for, and what a slot records about its work dir;
no kernel is started here (test_kernel and test_forkserver start them)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from autograder.sandbox.capabilities import probe
from autograder.sandbox.plan import SANDBOX_UID_BASE, SANDBOX_UID_SPAN, Limits, kernel_python, plan
from autograder.sandbox.slot import PoolMismatch, SlotSpec, next_uid, with_workspace_info
from autograder.sandbox.workspace import Workspace

SPEC = SlotSpec(sandbox="auto", device="cpu", limits=Limits(), output_limit=4096)


def test_specs_built_alike_in_one_process_share_a_pool():
    """The machine's capabilities are part of the spec, probed once: equal options, equal specs."""
    again = SlotSpec(sandbox="auto", device="cpu", limits=Limits(), output_limit=4096)
    assert again == SPEC and again.caps is probe()


def test_a_pool_made_for_other_options_names_what_differs():
    wanted = replace(SPEC, limits=Limits(memory_mb=512), launcher="fork")
    err = PoolMismatch(SPEC, wanted)
    assert err.differ == "limits, launcher"
    assert "(limits, launcher)" in err.message.en and "pool_for_tp" in err.message.fr


def test_kernel_uids_rotate_within_the_sandbox_range():
    uids = [next_uid() for _ in range(32)]
    assert all(SANDBOX_UID_BASE <= u < SANDBOX_UID_BASE + SANDBOX_UID_SPAN for u in uids)
    assert len(set(uids[:16])) == 16 and uids[:16] == uids[16:]  # 16 live kernels per process, in turn


@pytest.mark.parametrize("capped", [64, None])
def test_the_report_says_whether_the_work_dir_is_size_capped(tmp_path, capped):
    work, run = tmp_path / "work", tmp_path / "run"
    work.mkdir()
    run.mkdir()
    sb = plan("off", workdir=work, runtime_dir=run, python=kernel_python(), limits=Limits(), caps=probe())
    info = with_workspace_info(sb, Workspace(tmp_path, capped)).info
    if capped:
        assert info.limits["work_mb"] == 64 and info.notes[-1] == "work dir: its own tmpfs of 64 MB"
    else:
        assert "work_mb" not in info.limits and info.notes[-1].startswith("work dir on the host disk")
