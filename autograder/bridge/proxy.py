"""The `submission` fixture: checks call student code in the live kernel through it.

Direction grader → kernel: JSON + .npy files written by the grader, code it trusts.
Direction kernel → grader: hostile bytes. JSON is size-capped, arrays are read with
`allow_pickle=False` from regular files only (no symlinks), and only numeric dtypes are
accepted. Nothing from the kernel is unpickled or evaluated here. Everything read from one
kernel counts against one byte budget (`ReadBudget`), and a file named twice in an answer
is read once: however an answer is forged, the grader's memory stays bounded.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from autograder.bridge.callloop import CallLoop
from autograder.bridge.exchange import (
    encode_arg,
    make_request_dir,
    read_array,
    read_json,
    remove_request_dir,
    write_new,
)
from autograder.bridge.values import (
    DEFAULT_READ_BUDGET,
    BadValue,
    Handle,
    KernelDied,
    ReadBudget,
    Ref,
    StudentError,
    StudentTimeout,
    bad_value,
)
from autograder.results import Message
from autograder.sandbox.kernel import Kernel

AGENT_NAME = "__autograder_agent__"


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
        dfd = make_request_dir(self.exchange_dir, d.name, label)
        try:
            return self._exchange(req, args, kwargs, timeout, label, d, dfd)
        finally:
            os.close(dfd)
            # Everything was read into memory: free the space now, or a 256 MB answer that
            # hit the file-size limit would stay there and starve every later call.
            remove_request_dir(self.exchange_dir, d.name)

    def _exchange(
        self, req: dict[str, Any], args: tuple, kwargs: dict, timeout: float | None, label: str, d: Path, dfd: int
    ) -> Any:
        assert self.kernel is not None
        counter = [0]
        req = dict(req)
        req["args"] = [encode_arg(a, dfd, counter) for a in args]
        req["kwargs"] = {k: encode_arg(v, dfd, counter) for k, v in kwargs.items()}
        write_new(dfd, "req.json", json.dumps(req).encode("utf-8"))
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
        out = read_json(d / "result.json", label, dir_fd=dfd, budget=self.budget)
        if not isinstance(out, dict) or "ok" not in out:
            raise BadValue(bad_value(label, "réponse illisible", "unreadable answer"))
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
            raise BadValue(bad_value(label, "structure trop profonde", "structure too deep"))
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        seen = {} if seen is None else seen
        if isinstance(v, list):
            return [self._decode(x, d, label, depth + 1, dfd, seen) for x in v]
        if isinstance(v, dict):
            if set(v) == {"__nd__"}:
                return read_array(d, v["__nd__"], label, dir_fd=dfd, budget=self.budget, seen=seen)
            if set(v) == {"__float__"}:
                text = str(v["__float__"])
                if text not in ("nan", "inf", "-inf"):
                    raise BadValue(bad_value(label, "nombre illisible", "unreadable number"))
                return float(text)
            if set(v) == {"__tuple__"}:
                return tuple(self._decode(x, d, label, depth + 1, dfd, seen) for x in v["__tuple__"])
            if set(v) == {"__dict__"} and isinstance(v["__dict__"], dict):
                return {str(k): self._decode(x, d, label, depth + 1, dfd, seen) for k, x in v["__dict__"].items()}
            if set(v) == {"__handle__", "type"} and isinstance(v["__handle__"], int):
                return Handle(self, v["__handle__"], str(v["type"])[:100])
        raise BadValue(bad_value(label, "valeur de type inattendu", "value of an unexpected type"))




















