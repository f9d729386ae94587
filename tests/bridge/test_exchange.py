"""The fd-safe file exchange (autograder.bridge.exchange): what is written for the kernel,
and what is read back from it, through descriptors and within limits."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from autograder.bridge.exchange import (
    encode_arg,
    make_request_dir,
    read_array,
    read_json,
    remove_request_dir,
)
from autograder.bridge.values import BadValue, ReadBudget, Ref, Tensor


@pytest.fixture
def request_dir(tmp_path):
    dfd = make_request_dir(tmp_path, "req-00001", "f")
    yield tmp_path / "req-00001", dfd
    os.close(dfd)


def test_arguments_are_json_with_arrays_beside_them(request_dir):
    d, dfd = request_dir
    counter = [0]
    encoded = encode_arg((np.arange(3.0), Tensor(np.ones(2), requires_grad=True), Ref("m"), {"k": float("nan")}), dfd, counter)
    assert encoded == {"__tuple__": [
        {"__nd__": "a1.npy"},
        {"__tensor__": "a2.npy", "requires_grad": True},
        {"__ref__": "m"},
        {"__dict__": {"k": {"__float__": "nan"}}},
    ]}
    assert np.array_equal(np.load(d / "a1.npy"), np.arange(3.0))
    json.dumps(encoded)  # plain JSON


def test_an_unknown_argument_type_is_refused(request_dir):
    _, dfd = request_dir
    with pytest.raises(TypeError, match="cannot send object"):
        encode_arg(object(), dfd, [0])


def test_answers_are_read_within_the_budget(request_dir):
    d, dfd = request_dir
    (d / "result.json").write_text('{"ok": true, "value": 3}')
    budget = ReadBudget(1000)
    assert read_json(d / "result.json", "f", dir_fd=dfd, budget=budget) == {"ok": True, "value": 3}
    assert budget.used == len('{"ok": true, "value": 3}')


def test_an_object_array_is_never_loaded(request_dir):
    d, dfd = request_dir
    np.save(d / "r.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(BadValue):
        read_array(d, "r.npy", "f", dir_fd=dfd)
    with pytest.raises(BadValue):
        read_array(d, "../r.npy", "f", dir_fd=dfd)


def test_a_request_folder_goes_with_everything_in_it(tmp_path):
    dfd = make_request_dir(tmp_path, "req-00002", "f")
    (tmp_path / "req-00002" / "a1.npy").write_bytes(b"x")
    os.close(dfd)
    remove_request_dir(tmp_path, "req-00002")
    assert not (tmp_path / "req-00002").exists()
