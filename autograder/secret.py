"""The course's secret, and the per-check seeds derived from it.

Hidden checks draw their inputs from seeds only the grader can compute: an HMAC-SHA256 of
(purpose, variant, student, code, check) keyed with the course's 128-bit secret, where code
digests the student's cells (new code, new hidden inputs; the same commit, the same grade). A value handed
to student code (the `seed` fixture, a training seed) and the check's own inputs (`rng`)
come from different purposes, so knowing one reveals neither the other nor the secret, and
the student's id in the message makes one student's feedback useless to another. Public
checks are keyed with a public constant: the student's own `autograder check` and the
authoritative grade then run them on the same inputs.

The secret lives in the course folder (`.autograder-secret`, beside source/), never in the
package or in release/; `autograder secret --init` (and `autograder new` on a new course)
writes one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.config import ConfigError
from autograder.results import Message

SECRET_FILE = ".autograder-secret"
SECRET_BYTES = 16  # 128 bits: no offline search recovers it from derived values
_HEX = re.compile(r"[0-9a-f]{32,128}")
PUBLIC_KEY = b"dl-autograder public checks: not a secret"


@dataclass(frozen=True)
class InputKey:
    """What a check's grader-chosen values derive from. `variant` lets margins and seed
    sweeps grade the same student under other inputs; 0 is the grade. `code` is the digest of
    the student's cells (`intake.graft.student_code_digest`) for hidden checks: one push's
    feedback names nothing the next push can be hard-coded for."""

    secret: bytes
    student: str = ""
    variant: int = 0
    code: str = ""

    def derive(self, purpose: str, check: str) -> int:
        """A seed in [0, 2**32) for one purpose of one check."""
        parts = (purpose, str(int(self.variant)), self.student, *((self.code,) if self.code else ()), check)
        msg = "\x00".join(parts).encode("utf-8", "replace")
        return int.from_bytes(hmac.new(self.secret, msg, hashlib.sha256).digest()[:4], "big")

    @property
    def fingerprint(self) -> str:
        """Identifies the key in caches and logs without revealing it."""
        return hashlib.sha256(b"fingerprint\x00" + self.secret).hexdigest()[:12]


def public_key(variant: int = 0) -> InputKey:
    return InputKey(PUBLIC_KEY, "", variant)


class MissingSecret(ConfigError):
    """Hidden checks cannot be graded with a guessable seed."""


def secret_path(course_root: Path) -> Path:
    return Path(course_root) / SECRET_FILE


def load_secret(course_root: Path) -> bytes:
    """The course's secret; MissingSecret (with the fix) when it is absent or malformed."""
    path = secret_path(course_root)
    try:
        text = path.read_text(encoding="ascii").strip().lower()
    except FileNotFoundError:
        raise MissingSecret(
            Message(
                fr=f"ce cours n'a pas de secret ({path} absent) : sans lui, les entrées des vérifications cachées seraient prévisibles. "
                f"Créez-le une fois avec `autograder secret --init --course {course_root}` et gardez-le privé (jamais dans release/ ni dans un dépôt d'étudiant)",
                en=f"this course has no secret ({path} is missing): without it, the hidden checks' inputs would be predictable. "
                f"Create it once with `autograder secret --init --course {course_root}` and keep it private (never in release/ or a student repo)",
            )
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MissingSecret(
            Message(fr=f"{path} illisible ({exc}) : vérifiez ses droits", en=f"cannot read {path} ({exc}): check its permissions")
        ) from None
    if not _HEX.fullmatch(text):
        raise MissingSecret(
            Message(
                fr=f"{path} ne contient pas un secret valide (au moins 32 chiffres hexadécimaux) : recréez-le avec `autograder secret --init --force`",
                en=f"{path} does not hold a valid secret (at least 32 hex digits): recreate it with `autograder secret --init --force`",
            )
        )
    return bytes.fromhex(text if len(text) % 2 == 0 else text[:-1])


def create_secret(course_root: Path, *, force: bool = False) -> Path:
    """Write a fresh random secret (mode 0600); refuses to replace one unless `force`:
    a new secret changes every hidden input, hence possibly grades already given."""
    path = secret_path(course_root)
    if path.exists() and not force:
        raise ConfigError(
            Message(
                fr=f"{path} existe déjà ; le remplacer change les entrées cachées de tous les TP (et peut-être des notes déjà données) : ajoutez --force si c'est voulu",
                en=f"{path} already exists; replacing it changes every TP's hidden inputs (and maybe grades already given): add --force if you mean it",
            )
        )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(os.urandom(SECRET_BYTES).hex() + "\n")
    os.chmod(path, 0o600)
    return path


@dataclass(frozen=True)
class InputKeys:
    """The keys of one grading: public checks' and hidden checks' (None: no secret, so no
    hidden check may run)."""

    public: InputKey
    hidden: InputKey | None = None


def student_key(repo: str) -> str:
    """Who a repo belongs to, the same way on every path that grades it: a GitLab URL
    (https, ssh or scp form) gives its project path, as `$CI_PROJECT_PATH` does in CI;
    a local folder its absolute path."""
    from urllib.parse import urlsplit

    text = repo.strip()
    if "://" in text:
        path = urlsplit(text).path
    elif re.match(r"^[\w.+-]+@[^:/]+:", text):
        path = text.split(":", 1)[1]
    else:
        return str(Path(text).resolve())
    return path.strip("/").removesuffix(".git").strip("/")
