"""Typed configuration. Every option carries its description; the CLI's --help is built from it.

Options resolve in this order: dataclass default < `[tool.autograder]` in the course's
pyproject.toml < command-line flag.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from autograder.errors import AutograderError
from autograder.results import ManualItem, Message

SandboxMode = Literal["auto", "strict", "off"]
DeviceChoice = Literal["auto", "cpu", "cuda"]
Lang = Literal["fr", "en"]
KernelLaunch = Literal["auto", "fork", "spawn"]


def option(default: Any, help: str, **kw: Any) -> Any:
    """A dataclass field that documents itself for --help and the README."""
    return field(default=default, metadata={"help": help, **kw})


@dataclass(frozen=True)
class GradeOptions:
    """How a submission is graded. Shared by `grade`, `check`, `demo` and `release`."""

    lang: Lang = option("fr", "Language of student feedback: fr or en.", choices=("fr", "en"))
    timezone: str | None = option(
        None,
        "Time zone of the dates in feedback, the terminal and moodle.csv: an IANA name "
        "(Europe/Paris), UTC, or an offset (+01:00). Default: grade-class uses the "
        "deadline's zone; grade and check keep each date's own zone.",
    )
    sandbox: SandboxMode = option(
        "auto",
        "Isolation: 'auto' uses the strongest level this machine offers and records it; "
        "'strict' refuses to grade without network isolation, a user switch and hidden "
        "instructor files; 'off' runs the kernel unconfined (debugging only).",
        choices=("auto", "strict", "off"),
    )
    device: DeviceChoice = option(
        "auto",
        "Device for the kernel and the grader-side references: auto (CUDA when present), cpu or cuda.",
        choices=("auto", "cpu", "cuda"),
    )
    seed: int = option(
        0,
        "Variant of the grader-chosen inputs, mixed with the course's secret (.autograder-secret) "
        "and the student: 0 for grades; margins and prove grade other variants. Not a secret.",
    )
    cell_timeout: float | None = option(
        None, "Seconds one cell may run (default: the TP's tp.toml budget)."
    )
    total_timeout: float | None = option(
        None, "Seconds the whole notebook may run (default: the TP's tp.toml budget)."
    )
    check_threads: int = option(
        1,
        "Threads torch uses in the grader process while the checks run (0: torch's default). "
        "The checks' tensors are small: more threads wait on one another, and on a busy "
        "runner they made TP01's checks 2.4 times slower.",
    )
    call_timeout: float = option(
        30.0, "Seconds one call from a check into a student function may run."
    )
    memory_mb: int | None = option(
        None, "Address-space limit of the kernel in MiB (default: the TP's tp.toml budget)."
    )
    answer_budget_mb: int = option(
        512,
        "Total MiB the grader reads back from one submission's kernel (the answers of all "
        "checks together, arrays and JSON); past it, each further call fails its check with a "
        "message naming the function, and the grader's memory stays bounded.",
    )
    output_limit_kb: int = option(
        256, "Cap on the text and image output kept per cell, in KiB; the rest is cut."
    )
    keep_workdir: bool = option(
        False, "Keep the sandbox's temporary work directory (debugging)."
    )
    kernel_launch: KernelLaunch = option(
        "auto",
        "How kernels start: 'fork' from a server that imported the TP's preload modules once, "
        "each kernel then confining itself in its own namespaces (~0.3 s instead of ~3 s; "
        "needs root for the namespaces); 'spawn' a fresh interpreter per kernel through "
        "bwrap/unshare; 'auto' forks where this grader can confine forked kernels, else "
        "spawns through bwrap when it works, else forks.",
        choices=("auto", "fork", "spawn"),
    )

    def with_overrides(self, values: dict[str, Any]) -> GradeOptions:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(
                Message(
                    fr=f"options inconnues dans [tool.autograder] : {', '.join(unknown)}",
                    en=f"unknown options in [tool.autograder]: {', '.join(unknown)}",
                )
            )
        return replace(self, **values)

    def __post_init__(self) -> None:
        if self.timezone is not None:
            from autograder.render.formats import parse_zone

            try:
                parse_zone(self.timezone)
            except ValueError:
                raise ConfigError(
                    Message(
                        fr=f"timezone {self.timezone!r} inconnu : un nom IANA (Europe/Paris), "
                        "UTC ou un décalage (+01:00)",
                        en=f"unknown timezone {self.timezone!r}: an IANA name (Europe/Paris), "
                        "UTC or an offset (+01:00)",
                    )
                ) from None


def option_help(cls: type) -> list[tuple[str, Any, str, tuple[str, ...] | None]]:
    """(name, default, help, choices) for each option of a config dataclass."""
    out = []
    for f in fields(cls):
        default = f.default if f.default is not MISSING else None
        out.append((f.name, default, f.metadata.get("help", ""), f.metadata.get("choices")))
    return out


class ConfigError(AutograderError):
    """A course or option the grader cannot use; the message names it and the fix."""


@dataclass(frozen=True)
class Budget:
    """Time and memory a TP's notebook may use, on CPU and on GPU."""

    cpu_seconds: float = 300.0  # whole notebook on 2 CPU cores
    gpu_seconds: float = 120.0  # whole notebook on a CUDA device
    cell_seconds: float = 120.0
    memory_mb: int = 4096


@dataclass(frozen=True)
class TPConfig:
    """`source/<tp>/tp.toml`: what a TP is, without any secret."""

    id: str
    title_fr: str
    title_en: str
    notebook: str
    budget: Budget = Budget()
    data_files: tuple[str, ...] = ()  # relative to the TP folder, copied into the sandbox
    # Modules imported (trusted code) when the kernel starts, before the student's cells:
    # a pooled kernel pays for `import torch` while the previous submission is graded.
    preload: tuple[str, ...] = ("numpy",)
    # Items graded by hand (`[[manual]]` tables): reported as pending, scored in Formgrader,
    # never part of the automatic total (see ManualItem).
    manual: tuple[ManualItem, ...] = ()

    @property
    def title(self) -> Message:
        return Message(fr=self.title_fr, en=self.title_en)

    @property
    def manual_points(self) -> float:
        """The points graded by hand, a total of their own beside the automatic one."""
        return round(sum(m.points for m in self.manual), 6)

    @classmethod
    def load(cls, path: Path) -> TPConfig:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                Message(fr=f"{path} illisible : {exc}", en=f"cannot read {path}: {exc}")
            ) from exc
        tp = raw.get("tp", {})
        tp_id = tp.get("id", path.parent.name)
        budget = Budget(**raw.get("budget", {}))
        return cls(
            id=tp_id,
            title_fr=tp.get("title_fr", tp_id),
            title_en=tp.get("title_en", tp.get("title_fr", tp_id)),
            notebook=tp.get("notebook", f"{tp_id}.ipynb"),
            budget=budget,
            data_files=tuple(raw.get("data", {}).get("files", ())),
            preload=tuple(raw.get("kernel", {}).get("preload", ("numpy",))),
            manual=_manual_items(raw.get("manual", []), path),
        )


def _manual_items(raw: Any, path: Path) -> tuple[ManualItem, ...]:
    """`[[manual]]` tables: grade_id, points (> 0), title_fr (title_en optional); a typo
    is refused naming the entry, never graded as an item worth nothing."""
    if not isinstance(raw, list):
        raw = [raw]
    items: list[ManualItem] = []
    for n, entry in enumerate(raw, start=1):
        where = f"{path} [[manual]] #{n}"
        if not isinstance(entry, dict):
            raise _manual_error(where, "une table attendue", "a table expected")
        unknown = sorted(set(entry) - {"grade_id", "points", "title_fr", "title_en"})
        if unknown:
            raise _manual_error(where, f"clés inconnues {unknown}", f"unknown keys {unknown}")
        gid, points = entry.get("grade_id"), entry.get("points")
        if not isinstance(gid, str) or not gid.strip():
            raise _manual_error(where, "grade_id manquant", "grade_id missing")
        if any(m.grade_id == gid for m in items):
            raise _manual_error(where, f"grade_id {gid!r} en double", f"duplicate grade_id {gid!r}")
        if isinstance(points, bool) or not isinstance(points, int | float) or not math.isfinite(points) or points <= 0:
            raise _manual_error(
                where, f"points de {gid!r} : un nombre > 0 attendu", f"points of {gid!r}: a number > 0 expected"
            )
        title_fr = entry.get("title_fr") or gid
        items.append(ManualItem(gid, float(points), Message(fr=str(title_fr), en=str(entry.get("title_en") or title_fr))))
    return tuple(items)


def _manual_error(where: str, fr: str, en: str) -> ConfigError:
    return ConfigError(Message(fr=f"{where} : {fr}", en=f"{where}: {en}"))


def load_course_options(course_root: Path) -> dict[str, Any]:
    """`[tool.autograder]` from the course's pyproject.toml, or {}."""
    pyproject = course_root / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return dict(data.get("tool", {}).get("autograder", {}))
