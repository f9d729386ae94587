"""The template repo every student forks: released TPs, a French README, requirements,
.gitignore and the feedback pipeline (`ci/student-feedback.gitlab-ci.yml`) as .gitlab-ci.yml.

Only `release/<tp>` is copied: never `source/` (hidden checks, solutions in the notebook)
nor `solutions/`. A release folder that holds a `hidden` directory is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.config import ConfigError
from autograder.course import Course
from autograder.prove.scenarios import scenario_paths
from autograder.results import Message

FEEDBACK_TEMPLATE = Path("ci") / "student-feedback.gitlab-ci.yml"

# What `pip install -r requirements.txt` uses for the student-side checker (this package).
# The URL is a placeholder: point it at a repo students can read that holds the
# `autograder` package only, e.g. a public mirror of the tool. NEVER the course's grader
# project: its source/ holds the hidden checks.
DEFAULT_CHECKER = "dl-autograder @ git+https://gitlab.example.fr/course/autograder.git@main"

GITIGNORE = """\
# Environnement Python local
.venv/
__pycache__/
*.pyc
# JupyterLab
.ipynb_checkpoints/
# Rapports de `autograder check --out` et du pipeline
reports/
grade/
.cache/
.gitlab-ci-local/
"""


def _requirements(checker: str) -> str:
    return f"""\
# Environnement des TP : python -m pip install -r requirements.txt
# (dans un environnement virtuel : python -m venv .venv puis source .venv/bin/activate)

# Édition des notebooks
jupyterlab>=4

# Pile scientifique des TP
numpy>=1.24
torch>=2.1
scikit-learn>=1.3
matplotlib>=3.7

# Vérificateur des TP (`autograder check <tp>`) : le paquet dl-autograder du cours.
# L'enseignant remplace l'adresse ci-dessous par celle du dépôt public de l'outil, sous la
# forme `dl-autograder @ git+https://<serveur>/<groupe>/<projet>.git@<version>`,
# ou par un chemin local : `dl-autograder @ file:///chemin/absolu/vers/autograder`.
{checker}
"""


def _readme(course: Course, tp_ids: list[str]) -> str:
    rows = []
    for tp_id in tp_ids:
        tp = course.tp(tp_id)
        rows.append(f"| `{tp_id}` | {tp.config.title_fr} | `{tp_id}/{tp.config.notebook}` |")
    first = tp_ids[0]
    nb = f"{first}/{course.tp(first).config.notebook}"
    table = "\n".join(rows)
    return f"""\
# Travaux pratiques d'apprentissage profond

Ce dépôt est le vôtre : vous y faites les TP et vous les rendez en poussant (`git push`)
vos commits. Chaque TP est un dossier à la racine du dépôt.

| TP | sujet | notebook |
|---|---|---|
{table}

## Installation (une fois)

```bash
python -m venv .venv
source .venv/bin/activate          # Windows : .venv\\Scripts\\activate
python -m pip install -r requirements.txt
```

`requirements.txt` installe JupyterLab, numpy, torch, scikit-learn, matplotlib et le
vérificateur `autograder`.

## Faire un TP

1. Ouvrez le notebook dans JupyterLab :

   ```bash
   jupyter lab {nb}
   ```

2. Complétez les **cellules de réponse** (celles qui contiennent
   `raise NotImplementedError()` ou `# YOUR CODE HERE`).
3. Vérifiez votre travail avec les tests publics, dans le même bac à sable que la
   correction :

   ```bash
   autograder check {first}
   ```

   Ajoutez `--out reports/{first}` pour obtenir aussi `feedback.html` dans ce dossier
   (ignoré par git).
4. Enregistrez le notebook, puis validez et poussez :

   ```bash
   git add {nb}
   git commit -m "{first} : ma version"
   git push
   ```

5. Lisez le retour du pipeline GitLab : **Build > Pipelines**, le job `feedback`.
   L'onglet **Tests** du pipeline liste les vérifications publiques ; les artefacts du job
   contiennent `reports/<tp>/feedback.html` (à ouvrir dans le navigateur) et
   `reports/<tp>/grade.json`. Si l'enseignant a branché la correction sur votre dépôt, le
   job s'appelle `grade-cpu` (ou `grade-gpu`) et ses artefacts sont dans `grade/<tp>/`.

## Règles à respecter

- **Gardez le notebook à son chemin** (`{nb}`) : ne le renommez pas, ne le déplacez pas.
- **Gardez les cellules de réponse** : ne les supprimez pas et ne changez pas leur type
  (code / texte). Seules les cellules de réponse sont corrigées ; les autres cellules
  sont reprises telles que l'enseignant les a écrites, quoi que contienne votre commit.
  Vous pouvez ajouter vos propres cellules : elles sont conservées à leur place.
- Ne modifiez pas les dossiers `checks/` ni les fichiers `tp.toml` : la correction
  utilise les versions de l'enseignant.

## Retour automatique ou note ?

`autograder check` et le job `feedback` donnent un **retour** à partir des tests publics :
ce n'est **pas la note**. La note est calculée côté enseignant (job `grade-cpu` /
`grade-gpu`, ou correction de toute la promotion à la date limite) sur le commit que vous
avez poussé, avec en plus des tests cachés. Un TP qui passe tous les tests publics peut
donc perdre des points aux tests cachés : testez aussi vos fonctions sur vos propres
exemples.
"""


def _feedback_template(course_root: Path) -> Path:
    """The course's own copy (course_root/ci/...) first, then the tool's checkout."""
    for base in (course_root, Path(__file__).resolve().parents[2]):
        cand = base / FEEDBACK_TEMPLATE
        if cand.is_file():
            return cand
    raise ConfigError(
        Message(
            fr=f"modèle de pipeline introuvable : {course_root / FEEDBACK_TEMPLATE}",
            en=f"pipeline template not found: {course_root / FEEDBACK_TEMPLATE}",
        )
    )


def build_template_repo(
    course_root: Path, out_dir: Path, tp_ids: list[str], *, checker: str = DEFAULT_CHECKER
) -> Path:
    """Write the student template repo into `out_dir` (absent or empty); returns its path.

    `checker` is the requirements.txt line that installs the student-side checker (this
    package): a `dl-autograder @ git+<url>` or `dl-autograder @ file:///<path>` requirement.
    """
    course = Course(Path(course_root).resolve())
    out = Path(out_dir)
    if not tp_ids:
        raise ConfigError(Message(fr="aucun TP demandé", en="no TP given"))
    if out.exists() and any(out.iterdir()):
        raise ConfigError(
            Message(
                fr=f"{out} n'est pas vide : choisissez un dossier neuf",
                en=f"{out} is not empty: pick a new folder",
            )
        )
    releases = []
    for tp_id in tp_ids:
        tp = course.tp(tp_id)  # ConfigError for an unknown TP
        if not (tp.release_dir / "tp.toml").is_file() or not tp.release_notebook.is_file():
            raise ConfigError(
                Message(
                    fr=f"release/{tp_id} absent ou incomplet : lancez `autograder release {tp_id}`",
                    en=f"release/{tp_id} is missing or incomplete: run `autograder release {tp_id}`",
                )
            )
        if any(p.name == "hidden" for p in tp.release_dir.rglob("*")):
            raise ConfigError(
                Message(
                    fr=f"release/{tp_id} contient un dossier hidden : refusé (tests cachés)",
                    en=f"release/{tp_id} holds a 'hidden' folder: refused (hidden checks)",
                )
            )
        if any(p.exists() for p in scenario_paths(tp.release_dir)):
            raise ConfigError(
                Message(
                    fr=f"release/{tp_id} contient des scénarios (scenarios.py) : refusé (variantes de la solution)",
                    en=f"release/{tp_id} holds scenarios (scenarios.py): refused (the solution's variants)",
                )
            )
        releases.append(tp)
    feedback = _feedback_template(course.root)

    out.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for tp in releases:
        shutil.copytree(tp.release_dir, out / tp.id, ignore=ignore)
    (out / "README.md").write_text(_readme(course, list(tp_ids)), encoding="utf-8")
    (out / "requirements.txt").write_text(_requirements(checker), encoding="utf-8")
    (out / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    shutil.copyfile(feedback, out / ".gitlab-ci.yml")
    return out
