"""The fd-safe file exchange under a kernel's runtime folder: request folders made and removed
through descriptors, arguments written as JSON + .npy, answers read within their limits
(never by a path the kernel could turn into a link, never a pickle)."""

from __future__ import annotations

import errno
import io
import json
import math
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import numpy as np

from autograder.bridge.values import (
    MAX_ARRAY_BYTES,
    MAX_JSON_BYTES,
    BadValue,
    Handle,
    ReadBudget,
    Ref,
    Tensor,
    bad_value,
)
from autograder.results import Message

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def make_request_dir(exchange_dir: Path, name: str, label: str) -> int:
    """Create `name` in the exchange folder (not through a link) and return its descriptor."""
    try:
        xfd = os.open(exchange_dir, _DIR_FLAGS)
        try:
            os.mkdir(name, 0o755, dir_fd=xfd)
            return os.open(name, _DIR_FLAGS, dir_fd=xfd)
        finally:
            os.close(xfd)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise BadValue(
                Message(
                    fr=f"impossible d'appeler `{label}` : plus d'espace disque pour l'échange avec le noyau (le notebook a-t-il rempli le disque ?)",
                    en=f"cannot call `{label}`: no disk space left for the exchange with the kernel (did the notebook fill the disk?)",
                )
            ) from None
        raise BadValue(
            Message(
                fr=f"impossible d'appeler `{label}` : le dossier d'échange du correcteur a été modifié par le notebook",
                en=f"cannot call `{label}`: the grader's exchange folder was tampered with by the notebook",
            )
        ) from None


def remove_request_dir(exchange_dir: Path, name: str) -> None:
    """Best effort: the kernel may have put anything there (links included; rmtree with a
    folder descriptor never follows them)."""
    try:
        xfd = os.open(exchange_dir, _DIR_FLAGS)
    except OSError:
        return
    try:
        shutil.rmtree(name, dir_fd=xfd, ignore_errors=True)
    finally:
        os.close(xfd)


def write_new(dfd: int, name: str, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=dfd)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def encode_arg(a: Any, d: int, counter: list[int]) -> Any:
    """Encode one argument; arrays are written as .npy files in the request folder `d` (a descriptor)."""
    if isinstance(a, Ref):
        return {"__ref__": a.name}
    if isinstance(a, Handle):
        return {"__handle__": a.id}
    if isinstance(a, Tensor):
        counter[0] += 1
        name = f"a{counter[0]}.npy"
        write_new(d, name, npy_bytes(a.array))
        return {"__tensor__": name, "requires_grad": a.requires_grad}
    if isinstance(a, np.ndarray):
        counter[0] += 1
        name = f"a{counter[0]}.npy"
        write_new(d, name, npy_bytes(a))
        return {"__nd__": name}
    if isinstance(a, np.generic):
        return encode_arg(a.item(), d, counter)
    if isinstance(a, float) and not np.isfinite(a):
        return {"__float__": repr(a)}
    if isinstance(a, tuple):
        return {"__tuple__": [encode_arg(x, d, counter) for x in a]}
    if isinstance(a, list):
        return [encode_arg(x, d, counter) for x in a]
    if isinstance(a, dict):
        return {"__dict__": {str(k): encode_arg(v, d, counter) for k, v in a.items()}}
    if a is None or isinstance(a, (bool, int, float, str)):
        return a
    raise TypeError(f"cannot send {type(a).__name__} to the kernel")


def open_regular(path: Path, limit: int, label: str, dir_fd: int | None = None) -> tuple[int, os.stat_result]:
    """Open a file the kernel wrote, refusing links, devices and oversized files; returns
    (descriptor, its stat). With `dir_fd`, only `path.name` is opened, relative to it."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path.name if dir_fd is not None else path, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise BadValue(bad_value(label, "réponse absente (l'agent du correcteur a été modifié ?)", "missing answer (was the grader's agent tampered with?)")) from None
    except OSError:
        raise BadValue(bad_value(label, "réponse qui n'est pas un fichier", "answer that is not a file")) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise BadValue(bad_value(label, "réponse qui n'est pas un fichier", "answer that is not a file"))
        if st.st_size > limit:
            raise BadValue(
                Message(
                    fr=f"`{label}` a renvoyé une valeur trop grande ({st.st_size // 1_000_000} Mo)",
                    en=f"`{label}` returned a value that is too large ({st.st_size // 1_000_000} MB)",
                )
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_all(fd: int, size: int) -> bytes:
    """At most `size` bytes: a file that grows while it is read is cut, not followed."""
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_json(path: Path, label: str, dir_fd: int | None = None, budget: ReadBudget | None = None) -> Any:
    fd, st = open_regular(path, MAX_JSON_BYTES, label, dir_fd)
    try:
        if budget is not None:
            budget.take(st.st_size, label)
        raw = read_all(fd, st.st_size)
    finally:
        os.close(fd)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadValue(bad_value(label, "réponse illisible", "unreadable answer")) from None


def read_array(
    d: Path,
    name: Any,
    label: str,
    dir_fd: int | None = None,
    budget: ReadBudget | None = None,
    seen: dict[tuple[int, int], np.ndarray] | None = None,
) -> np.ndarray:
    """One .npy answer, read straight into its array (no second copy of the bytes)."""
    if not isinstance(name, str) or "/" in name or name.startswith(".") or not name.endswith(".npy"):
        raise BadValue(bad_value(label, "référence de tableau invalide", "invalid array reference"))
    fd, st = open_regular(d / name, MAX_ARRAY_BYTES, label, dir_fd)
    key = (st.st_dev, st.st_ino)
    if seen is not None and key in seen:
        os.close(fd)
        return seen[key]
    unreadable = bad_value(label, "tableau illisible (objets Python ?)", "unreadable array (Python objects?)")
    with os.fdopen(fd, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"npy version {version}")
        except (ValueError, OSError, EOFError, SyntaxError, TypeError):
            raise BadValue(unreadable) from None
        if dtype.hasobject:  # pickled Python objects: never loaded
            raise BadValue(unreadable)
        if dtype.kind not in "biufc":
            raise BadValue(bad_value(label, "tableau non numérique", "non-numeric array"))
        # The header's shape must match the file's size: a header that declares terabytes
        # would otherwise make numpy allocate them before reading anything.
        count = math.prod(shape)
        if count * dtype.itemsize != st.st_size - f.tell():
            raise BadValue(unreadable)
        if budget is not None:
            budget.take(st.st_size, label)
        # Read with the header checked above (not read again: the kernel may rewrite it).
        try:
            flat = np.fromfile(f, dtype=dtype, count=count)
        except (ValueError, OSError, MemoryError):
            raise BadValue(unreadable) from None
        if flat.size != count:  # cut while it was read
            raise BadValue(unreadable)
    arr = flat.reshape(shape, order="F" if fortran else "C")
    if seen is not None:
        seen[key] = arr
    return arr
