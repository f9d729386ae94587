"""Where a course's TPs live. A `Course` is read-only: it only resolves paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from autograder.config import ConfigError, TPConfig
from autograder.results import Message


@dataclass(frozen=True)
class TP:
    """One TP's paths on the instructor side."""

    config: TPConfig
    source_dir: Path  # source/<tp>
    release_dir: Path  # release/<tp>
    solution_dir: Path  # solutions/<tp>

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def source_notebook(self) -> Path:
        return self.source_dir / self.config.notebook

    @property
    def release_notebook(self) -> Path:
        return self.release_dir / self.config.notebook

    @property
    def solution_notebook(self) -> Path:
        return self.solution_dir / self.config.notebook

    @property
    def public_checks(self) -> Path:
        return self.source_dir / "checks" / "public"

    @property
    def hidden_checks(self) -> Path:
        return self.source_dir / "checks" / "hidden"

    def data_paths(self) -> list[DataFile]:
        """The data files and where they go in the kernel's work dir (as in release/<tp>/)."""
        return data_files_of(self.source_dir, self.config.data_files)


class DataFile(NamedTuple):
    """A file (or folder) of the TP copied into the sandbox at `dest`, relative to the work dir."""

    source: Path
    dest: str


def data_files_of(tp_dir: Path, rels: tuple[str, ...] | list[str]) -> list[DataFile]:
    return [DataFile(tp_dir / rel, Path(rel).as_posix()) for rel in rels]


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Course:
        """The nearest folder at or above `start` that holds `source/` (the course root)."""
        here = (start or Path.cwd()).resolve()
        for cand in (here, *here.parents):
            if (cand / "source").is_dir():
                return cls(cand)
        raise ConfigError(
            Message(
                fr=f"aucun dossier source/ trouvé depuis {here} : lancez la commande à la racine du cours ou passez --course",
                en=f"no source/ folder found from {here}: run from the course root or pass --course",
            )
        )

    def tp_ids(self) -> list[str]:
        src = self.root / "source"
        return sorted(p.name for p in src.iterdir() if (p / "tp.toml").is_file())

    def tp(self, tp_id: str) -> TP:
        src = self.root / "source" / tp_id
        cfg_path = src / "tp.toml"
        if not cfg_path.is_file():
            known = ", ".join(self.tp_ids()) or "(aucun)"
            raise ConfigError(
                Message(
                    fr=f"TP inconnu « {tp_id} » : pas de {cfg_path}. TP connus : {known}",
                    en=f"unknown TP '{tp_id}': no {cfg_path}. Known TPs: {known}",
                )
            )
        return TP(
            config=TPConfig.load(cfg_path),
            source_dir=src,
            release_dir=self.root / "release" / tp_id,
            solution_dir=self.root / "solutions" / tp_id,
        )
