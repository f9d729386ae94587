"""The `submission` fixture: checks call student code in the live kernel through it.

Direction grader → kernel: JSON + .npy files written by the grader, code it trusts.
Direction kernel → grader: hostile bytes. JSON is size-capped, arrays are read with
`allow_pickle=False` from regular files only (no symlinks), and only numeric dtypes are
accepted. Nothing from the kernel is unpickled or evaluated here. Everything read from one
kernel counts against one byte budget (`ReadBudget`), and a file named twice in an answer
is read once: however an answer is forged, the grader's memory stays bounded.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from autograder.callloop import CallLoop
from autograder.errors import AutograderError
from autograder.kernel import Kernel
from autograder.results import Message

MiB = 1024 * 1024
MAX_JSON_BYTES = 16 * MiB
MAX_ARRAY_BYTES = 512 * MiB
DEFAULT_READ_BUDGET = 512 * MiB  # GradeOptions.answer_budget_mb
AGENT_NAME = "__autograder_agent__"


class SubmissionError(AutograderError):
    """Student code could not give an answer; `.message` is written for the student."""

    str_lang = "fr"


class StudentError(SubmissionError):
    def __init__(self, message: Message, ename: str = "", evalue: str = ""):
        super().__init__(message)
        self.ename, self.evalue = ename, evalue


class StudentTimeout(SubmissionError):
    pass


class KernelDied(SubmissionError):
    pass


class BadValue(SubmissionError):
    pass


@dataclass(frozen=True)
class Ref:
    """A kernel-side global, passed by name (a function the grader defined, say)."""

    name: str


@dataclass(frozen=True)
class Tensor:
    """Send an array that must arrive as a torch.Tensor."""

    array: np.ndarray
    requires_grad: bool = False


class Handle:
    """A kernel-side object that cannot cross as data (an nn.Module, a generator...)."""

    def __init__(self, sub: Submission, hid: int, type_name: str):
        self._sub, self.id, self.type_name = sub, hid, type_name

    def call(self, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return self._sub._request(
            {"op": "method", "target": self.id, "name": method}, args, kwargs, timeout, f"{self.type_name}.{method}"
        )

    def get(self, attr: str) -> Any:
        return self._sub._request({"op": "attr", "target": self.id, "name": attr}, (), {}, None, f"{self.type_name}.{attr}")

    def __repr__(self) -> str:
        return f"<Handle {self.type_name} #{self.id}>"


class ReadBudget:
    """Bytes the grader may still read from one kernel, all calls of all checks together."""

    def __init__(self, total: int = DEFAULT_READ_BUDGET):
        self.total = total
        self.used = 0

    def take(self, n: int, label: str) -> None:
        """Count `n` bytes about to be read, or refuse them (the student's fault)."""
        if self.used + n > self.total:
            self.used = self.total  # spent: every later read is refused too
            mib = max(1, self.total // MiB)
            raise BadValue(
                Message(
                    fr=f"`{label}` : les valeurs renvoyées par votre notebook dépassent le volume total que le correcteur accepte ({mib} Mio pour toutes les vérifications) ; renvoyez des valeurs plus petites (pas de tableaux géants ni répétés)",
                    en=f"`{label}`: the values your notebook returned exceed the total the grader accepts ({mib} MiB for all checks together); return smaller values (no huge or repeated arrays)",
                )
            )
        self.used += n


#: How long the kernel may take to define the agent after the notebook ran.
AGENT_TIMEOUT_S = 20.0

#: Said when the notebook's code left the kernel unable to define the agent.
AGENT_UNANSWERED = Message(
    fr="le noyau ne répond plus après l'exécution du notebook (le code du notebook l'a-t-il bloqué ?)",
    en="the kernel stopped answering after the notebook ran (did the notebook's code block it?)",
)


def agent_source() -> str:
    return files("autograder.kernel_side").joinpath("agent.py").read_text(encoding="utf-8")


class Submission:
    """Proxy into one live kernel. `unavailable` makes every call fail with that reason."""

    def __init__(
        self,
        kernel: Kernel | None,
        exchange_dir: Path | None,
        *,
        call_timeout: float = 30.0,
        unavailable: Message | None = None,
        read_budget: int = DEFAULT_READ_BUDGET,
    ):
        self.kernel = kernel
        self.budget = ReadBudget(read_budget)
        self.exchange_dir = exchange_dir
        self.call_timeout = call_timeout
        self.unavailable = unavailable
        self._n = 0
        self._down: tuple[str, str] | None = None  # (how, label) when a call ended the kernel
        self.memo: dict[str, Any] = {}  # grader-side results checks share (checks.memo)
        # Seeds handed to student code (keyword arguments named *seed*/*graine*): hidden
        # checks' messages never show them (plugin), whatever a check's author wrote.
        self.handed_seeds: set[int] = set()
        self._loop = CallLoop(kernel, exchange_dir, AGENT_NAME) if kernel and exchange_dir else None

    @classmethod
    def connect(
        cls, kernel: Kernel, exchange_root: Path, *, call_timeout: float = 30.0, read_budget: int = DEFAULT_READ_BUDGET
    ) -> Submission:
        """Set up the exchange with a kernel whose notebook has run: the bridge's own folder
        and the kernel-side agent. Calls fail with a reason when the agent did not start.

        `exchange_root` and the folder made in it are the grader's (0755): the kernel owns
        only its socket folder beside them and each request folder the proxy makes inside,
        so it can swap neither for a link that would lead the grader's reads, writes or
        socket bind outside."""
        exchange = Path(tempfile.mkdtemp(prefix="xchg-", dir=exchange_root))
        os.chmod(exchange, 0o755)
        res = kernel.execute(agent_source(), AGENT_TIMEOUT_S, silent=True, keep_outputs=False)
        unavailable = AGENT_UNANSWERED if res.status != "ok" else None
        return cls(kernel, exchange, call_timeout=call_timeout, unavailable=unavailable, read_budget=read_budget)

    def close(self) -> None:
        """End the call loop: the kernel is free for other requests again."""
        if self._loop is not None:
            self._loop.close()

    # -- public API used by checks --------------------------------------------------------
    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return self._request({"op": "call", "target": name}, args, kwargs, timeout, name)

    def get(self, name: str) -> Any:
        return self._request({"op": "get", "target": name}, (), {}, None, name)

    def has(self, name: str) -> bool:
        return bool(self._request({"op": "has", "target": name}, (), {}, None, name))

    def waiting_meter(self) -> Callable[[], float]:
        """From now: seconds the kernel waited for CPUs other work held (TimeBudget gives
        them back, as cell budgets do)."""
        return self.kernel.waiting_meter() if self.kernel is not None else lambda: 0.0

    def define(self, name: str, source: str) -> Ref:
        self._request({"op": "define", "source": source}, (), {}, None, name)
        return Ref(name)

    # -- transport ------------------------------------------------------------------------
    def _request(
        self, req: dict[str, Any], args: tuple, kwargs: dict, timeout: float | None, label: str
    ) -> Any:
        for key, value in kwargs.items():
            if ("seed" in key.lower() or "graine" in key.lower()) and isinstance(value, int) and not isinstance(value, bool):
                self.handed_seeds.add(int(value))
        if self.unavailable is not None:
            raise KernelDied(self.unavailable)
        assert self.kernel is not None and self.exchange_dir is not None
        if not self.kernel.alive():
            if self._down is not None:  # say which earlier call ended it, not "see the cells"
                how, prev = self._down
                why_fr = f"`{prev}` ne répondait plus et a été arrêté" if how == "timeout" else f"pendant l'appel à `{prev}`"
                why_en = f"`{prev}` did not answer and was stopped" if how == "timeout" else f"while calling `{prev}`"
                raise KernelDied(
                    Message(
                        fr=f"impossible d'appeler `{label}` : le noyau Python de votre notebook s'est arrêté plus tôt, {why_fr}",
                        en=f"cannot call `{label}`: your notebook's Python kernel stopped earlier, {why_en}",
                    )
                )
            raise KernelDied(
                Message(
                    fr=f"impossible d'appeler `{label}` : le noyau Python de votre notebook s'est arrêté plus tôt (voir les cellules en erreur)",
                    en=f"cannot call `{label}`: your notebook's Python kernel stopped earlier (see the cells in error)",
                )
            )
        from autograder.checks.margins import record_given  # here: checks imports proxy

        record_given(args, kwargs)  # the leak test excuses inputs a message names
        self._n += 1
        d = self.exchange_dir / f"req-{self._n:05d}"
        # Every file of the request is reached through a descriptor of the folder made
        # here, never by path: the kernel can rename what sits in its runtime folder, and
        # a path through a link it made would lead the grader outside the exchange folder.
        dfd = _make_request_dir(self.exchange_dir, d.name, label)
        try:
            return self._exchange(req, args, kwargs, timeout, label, d, dfd)
        finally:
            os.close(dfd)
            # Everything was read into memory: free the space now, or a 256 MB answer that
            # hit the file-size limit would stay there and starve every later call.
            _remove_request_dir(self.exchange_dir, d.name)

    def _exchange(
        self, req: dict[str, Any], args: tuple, kwargs: dict, timeout: float | None, label: str, d: Path, dfd: int
    ) -> Any:
        assert self.kernel is not None
        counter = [0]
        req = dict(req)
        req["args"] = [_encode_arg(a, dfd, counter) for a in args]
        req["kwargs"] = {k: _encode_arg(v, dfd, counter) for k, v in kwargs.items()}
        _write_new(dfd, "req.json", json.dumps(req).encode("utf-8"))
        if self.kernel.plan.run_as:
            os.fchown(dfd, *self.kernel.plan.run_as)
        limit = timeout or self.call_timeout
        assert self._loop is not None
        try:
            status = self._loop.call(d.name, limit)
        except OSError as exc:  # the socket could not be made: a grader-side problem
            raise KernelDied(
                Message(
                    fr=f"impossible d'appeler `{label}` : le correcteur n'a pas pu ouvrir son canal vers le noyau ({exc}) ; signalez-le à l'enseignant",
                    en=f"cannot call `{label}`: the grader could not open its channel to the kernel ({exc}); tell the instructor",
                )
            ) from None
        if status == "timeout":
            if not self.kernel.alive():  # it ignored the interrupt and was killed
                self._down = ("timeout", label)
            raise StudentTimeout(
                Message(
                    fr=f"`{label}` n'a pas répondu en {limit:g} s (boucle infinie ? calcul trop lent ?)",
                    en=f"`{label}` did not answer within {limit:g} s (infinite loop? too slow?)",
                )
            )
        if status == "kernel-died":
            self._down = ("died", label)
            raise KernelDied(
                Message(
                    fr=f"le noyau Python s'est arrêté pendant l'appel à `{label}` (mémoire épuisée ? os._exit ?)",
                    en=f"the Python kernel stopped while calling `{label}` (out of memory? os._exit?)",
                )
            )
        out = _read_json(d / "result.json", label, dir_fd=dfd, budget=self.budget)
        if not isinstance(out, dict) or "ok" not in out:
            raise BadValue(_bad(label, "réponse illisible", "unreadable answer"))
        if not out["ok"]:
            ename, evalue = str(out.get("ename", ""))[:100], str(out.get("evalue", ""))[:500]
            if out.get("missing"):
                raise StudentError(
                    Message(
                        fr=f"`{label}` n'est pas défini dans votre notebook : exécutez/complétez la cellule qui le définit, sans le renommer",
                        en=f"`{label}` is not defined in your notebook: complete the cell that defines it, without renaming it",
                    ),
                    ename,
                    evalue,
                )
            if ename == "NotImplementedError":
                raise StudentError(
                    Message(
                        fr=f"`{label}` n'est pas encore implémentée (NotImplementedError) : complétez la cellule réponse",
                        en=f"`{label}` is not implemented yet (NotImplementedError): fill in the answer cell",
                    ),
                    ename,
                    evalue,
                )
            # Imported here: autograder.checks imports this module.
            from autograder.checks.errors import explain_student_error

            raise StudentError(explain_student_error(label, ename, evalue), ename, evalue)
        # Arrays read for this answer, by (device, inode): a file named twice (or hard
        # links to one file) costs one read, one budget share and one array.
        seen: dict[tuple[int, int], np.ndarray] = {}
        return self._decode(out.get("value"), d, label, 0, dfd, seen)

    def _decode(
        self, v: Any, d: Path, label: str, depth: int, dfd: int | None = None, seen: dict | None = None
    ) -> Any:
        if depth > 20:
            raise BadValue(_bad(label, "structure trop profonde", "structure too deep"))
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        seen = {} if seen is None else seen
        if isinstance(v, list):
            return [self._decode(x, d, label, depth + 1, dfd, seen) for x in v]
        if isinstance(v, dict):
            if set(v) == {"__nd__"}:
                return _read_array(d, v["__nd__"], label, dir_fd=dfd, budget=self.budget, seen=seen)
            if set(v) == {"__float__"}:
                text = str(v["__float__"])
                if text not in ("nan", "inf", "-inf"):
                    raise BadValue(_bad(label, "nombre illisible", "unreadable number"))
                return float(text)
            if set(v) == {"__tuple__"}:
                return tuple(self._decode(x, d, label, depth + 1, dfd, seen) for x in v["__tuple__"])
            if set(v) == {"__dict__"} and isinstance(v["__dict__"], dict):
                return {str(k): self._decode(x, d, label, depth + 1, dfd, seen) for k, x in v["__dict__"].items()}
            if set(v) == {"__handle__", "type"} and isinstance(v["__handle__"], int):
                return Handle(self, v["__handle__"], str(v["type"])[:100])
        raise BadValue(_bad(label, "valeur de type inattendu", "value of an unexpected type"))


def _bad(label: str, fr: str, en: str) -> Message:
    return Message(fr=f"`{label}` a renvoyé une {fr}", en=f"`{label}` returned an {en}")


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _make_request_dir(exchange_dir: Path, name: str, label: str) -> int:
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


def _remove_request_dir(exchange_dir: Path, name: str) -> None:
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


def _write_new(dfd: int, name: str, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=dfd)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def _encode_arg(a: Any, d: int, counter: list[int]) -> Any:
    """Encode one argument; arrays are written as .npy files in the request folder `d` (a descriptor)."""
    if isinstance(a, Ref):
        return {"__ref__": a.name}
    if isinstance(a, Handle):
        return {"__handle__": a.id}
    if isinstance(a, Tensor):
        counter[0] += 1
        name = f"a{counter[0]}.npy"
        _write_new(d, name, _npy_bytes(a.array))
        return {"__tensor__": name, "requires_grad": a.requires_grad}
    if isinstance(a, np.ndarray):
        counter[0] += 1
        name = f"a{counter[0]}.npy"
        _write_new(d, name, _npy_bytes(a))
        return {"__nd__": name}
    if isinstance(a, np.generic):
        return _encode_arg(a.item(), d, counter)
    if isinstance(a, float) and not np.isfinite(a):
        return {"__float__": repr(a)}
    if isinstance(a, tuple):
        return {"__tuple__": [_encode_arg(x, d, counter) for x in a]}
    if isinstance(a, list):
        return [_encode_arg(x, d, counter) for x in a]
    if isinstance(a, dict):
        return {"__dict__": {str(k): _encode_arg(v, d, counter) for k, v in a.items()}}
    if a is None or isinstance(a, (bool, int, float, str)):
        return a
    raise TypeError(f"cannot send {type(a).__name__} to the kernel")


def _open_regular(path: Path, limit: int, label: str, dir_fd: int | None = None) -> tuple[int, os.stat_result]:
    """Open a file the kernel wrote, refusing links, devices and oversized files; returns
    (descriptor, its stat). With `dir_fd`, only `path.name` is opened, relative to it."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path.name if dir_fd is not None else path, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise BadValue(_bad(label, "réponse absente (l'agent du correcteur a été modifié ?)", "missing answer (was the grader's agent tampered with?)")) from None
    except OSError:
        raise BadValue(_bad(label, "réponse qui n'est pas un fichier", "answer that is not a file")) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise BadValue(_bad(label, "réponse qui n'est pas un fichier", "answer that is not a file"))
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


def _read_all(fd: int, size: int) -> bytes:
    """At most `size` bytes: a file that grows while it is read is cut, not followed."""
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_json(path: Path, label: str, dir_fd: int | None = None, budget: ReadBudget | None = None) -> Any:
    fd, st = _open_regular(path, MAX_JSON_BYTES, label, dir_fd)
    try:
        if budget is not None:
            budget.take(st.st_size, label)
        raw = _read_all(fd, st.st_size)
    finally:
        os.close(fd)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadValue(_bad(label, "réponse illisible", "unreadable answer")) from None


def _read_array(
    d: Path,
    name: Any,
    label: str,
    dir_fd: int | None = None,
    budget: ReadBudget | None = None,
    seen: dict[tuple[int, int], np.ndarray] | None = None,
) -> np.ndarray:
    """One .npy answer, read straight into its array (no second copy of the bytes)."""
    if not isinstance(name, str) or "/" in name or name.startswith(".") or not name.endswith(".npy"):
        raise BadValue(_bad(label, "référence de tableau invalide", "invalid array reference"))
    fd, st = _open_regular(d / name, MAX_ARRAY_BYTES, label, dir_fd)
    key = (st.st_dev, st.st_ino)
    if seen is not None and key in seen:
        os.close(fd)
        return seen[key]
    unreadable = _bad(label, "tableau illisible (objets Python ?)", "unreadable array (Python objects?)")
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
            raise BadValue(_bad(label, "tableau non numérique", "non-numeric array"))
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
