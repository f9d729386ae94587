"""`autograder check <tp>`: a student runs the public checks on their working copy.

Same sandbox, same proxy, same checks as the real grading, but only the public ones,
and the notebook runs as the student saved it. It is feedback, not a grade.
"""

from __future__ import annotations

from pathlib import Path

from autograder.config import ConfigError, GradeOptions, TPConfig
from autograder.course import data_files_of
from autograder.grading.grade import Assignment, Graded, GradeJob, grade_job
from autograder.results import CommitInfo, Message, Visibility


def find_tp_dir(tp_id: str, start: Path) -> Path:
    """`<start>/<tp>` in a student repo, or `<start>/release/<tp>` in a course repo."""
    for cand in (start / tp_id, start / "release" / tp_id, start):
        if (cand / "tp.toml").is_file() and cand.name == tp_id:
            return cand
    raise ConfigError(
        Message(
            fr=f"dossier du TP « {tp_id} » introuvable depuis {start} : lancez la commande à la racine de votre dépôt (là où se trouve le dossier {tp_id}/)",
            en=f"TP folder '{tp_id}' not found from {start}: run the command at the root of your repo (where the {tp_id}/ folder is)",
        )
    )


def check_working_copy(tp_id: str, start: Path, options: GradeOptions, out_dir: Path | None) -> Graded:
    tp_dir = find_tp_dir(tp_id, start)
    cfg = TPConfig.load(tp_dir / "tp.toml")
    nb_path = tp_dir / cfg.notebook
    data = nb_path.read_bytes() if nb_path.is_file() else None
    problems = ()
    if data is None:
        from autograder.results import Problem

        problems = (
            Problem(
                "missing-notebook",
                Message(fr=f"{nb_path} introuvable", en=f"{nb_path} not found"),
                str(nb_path),
            ),
        )
    assignment = Assignment(
        tp=cfg,
        tp_dir=tp_dir,
        instructor_nb=None,  # the student's own notebook runs as is
        check_dirs=((tp_dir / "checks", Visibility.VISIBLE),),
        data_files=tuple(data_files_of(tp_dir, cfg.data_files)),
    )
    job = GradeJob(
        assignment,
        commit=CommitInfo(repo=str(start), ref="working copy", notebook_path=str(nb_path.relative_to(start)) if nb_path.is_relative_to(start) else str(nb_path)),
        student_bytes=data,
        problems=problems,
    )
    return grade_job(job, options, out_dir)
