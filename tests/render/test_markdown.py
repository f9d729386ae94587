"""feedback.md: bilingual, complete, and safe to render in GitLab."""

from __future__ import annotations

from autograder.render.markdown import md_code, md_text, to_markdown
from autograder.results import GradeReport


def test_french_by_default(report: GradeReport) -> None:
    md = to_markdown(report)
    assert md.startswith("# TP 1 — Gradients\n")
    assert "**Note : 2,5 / 12,5**" in md
    assert "Résultats par partie" in md and "Vérifications à revoir" in md
    assert "`abc1234d`" in md and "du 1er octobre 2024 à 12:34 (UTC+02:00)" in md
    assert "Bac à sable : bwrap" in md and "Calcul : cpu" in md
    assert "Score:" not in md


def test_english(report: GradeReport) -> None:
    md = to_markdown(report, "en")
    assert md.startswith("# Lab 1 — Gradients\n")
    assert "**Score: 2.5 / 12.5**" in md
    assert "Results by item" in md and "Checks to review" in md
    assert "Sandbox: bwrap" in md and "Device: cpu" in md
    assert "Note :" not in md and "Résultats" not in md


def test_tables_markers_and_messages(report: GradeReport) -> None:
    md = to_markdown(report)
    assert "### `grad_f` — 2,5 / 3 pts" in md
    assert "### `train` — 0 / 6,5 pts" in md
    assert "| `grad_f` | `test_grad_f_matches_autograd` | 2 / 2 | ✔ réussie |" in md
    assert "◐ partielle" in md and "✘ échouée" in md and "⊘ erreur" in md
    assert "forme presque juste" in md
    # Multi-line message: fenced, control characters gone.
    assert "  ```\n  gradient faux\n  attendu | obtenu <b>\n  ```" in md
    assert "\x00" not in md and "\x1b" not in md


def test_hidden_check_shows_name_points_message_only(report: GradeReport) -> None:
    md = to_markdown(report)
    line = next(x for x in md.splitlines() if x.startswith("- ✘ `test_hidden_accuracy`"))
    assert line == "- ✘ `test_hidden_accuracy` (cachée) — 0 / 2,5 pts"
    assert "la vérification a échoué" in md


def test_problems_and_bad_cells(report: GradeReport) -> None:
    md = to_markdown(report)
    assert "## Problèmes du notebook" in md and "`cell-timeout`" in md
    assert "## Cellules en erreur" in md
    assert "| 7 | `train_loop` | temps dépassé | temps dépassé (30 s) |" in md
    # No grade_id: the (hostile) cell id, inside a code span that renders literally.
    assert "| 9 | ``s<img src=x onerror=alert(1)>`\\|`` | erreur |" in md
    assert "| 0 |" not in md  # cells that ran fine are not listed


def test_hostile_commit_message_is_escaped(report: GradeReport) -> None:
    md = to_markdown(report)
    assert "<script>" not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert "second line" not in md  # first line only


def test_escaping_helpers() -> None:
    assert md_text("a|b <i>*x*</i>\nnext") == "a\\|b \\<i\\>\\*x\\*\\</i\\> next"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x|y") == "`` `x\\|y ``"


def test_empty_report(empty_report: GradeReport) -> None:
    md = to_markdown(empty_report, "en")
    assert "No check could be run." in md and "unknown commit" in md
    assert "`unknown-ref`" in md


def test_footer_says_whether_the_memory_bound_is_whole_kernel_or_per_process(report):
    from dataclasses import replace

    per_process = replace(report, sandbox=replace(report.sandbox, limits={"memory_mb": 4096}))
    assert "Mémoire : 4096 Mo par processus du noyau" in to_markdown(per_process, "fr")
    assert "Memory: 4096 MB per kernel process" in to_markdown(per_process, "en")
    tree = replace(report, sandbox=replace(report.sandbox, limits={"memory_mb": 4096, "tree_memory_mb": 4096}))
    assert "Mémoire : 4096 Mo pour tout le noyau" in to_markdown(tree, "fr")
    assert "Memory: 4096 MB for the whole kernel" in to_markdown(tree, "en")
