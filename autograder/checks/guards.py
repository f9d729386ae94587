"""Switch a library off while the student's function runs, so that it computes by hand.

A TP that asks for attention, a convolution or Spearman's ranks "from scratch" must not
accept an answer that calls `F.scaled_dot_product_attention`, `F.conv2d` or
`scipy.stats.rankdata`. The grader cannot see the student's code, only run it: a trusted
kernel-side helper replaces those library functions with raisers for the length of one
call, and the check turns the raiser's marker into a message naming the function.

The helper also switches off the notebook's own names bound to those functions (`from
torch.nn.functional import scaled_dot_product_attention as sdpa`), and it records every
forbidden call, so that an answer that catches the error and falls back on something else
still fails. It is a teaching guard, not a sandbox: the kernel is the student's.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from autograder.bridge.proxy import Submission
from autograder.bridge.values import Ref, StudentError, SubmissionError
from autograder.checks.errors import CheckFailed
from autograder.results import Message

#: A library function to switch off: its dotted path ("torch.nn.functional.conv2d", or a
#: class attribute "torch.nn.Conv2d.forward"), or (path, the name shown to the student).
Target = str | tuple[str, str]

#: Every function of a module whose name contains one of the words (case-insensitive):
#: ("torch", ("attention", "transformer")) catches PyTorch's private attention kernels.
Scan = tuple[str, tuple[str, ...]]

_MAX_SHOWN = 60  # the forbidden name in a message comes from the kernel: cut it

# The kernel side. Everything it needs is imported inside the function, so that the only
# name it adds to the notebook's globals is the helper itself. `{targets}` and `{scans}`
# are Python literals of strings; `{marker}` too.
_KERNEL_SOURCE = '''
def {helper}(_nom, *args, **kwargs):
    """Call `_nom` with library functions switched off (autograder.checks.guards)."""
    import importlib

    espace = globals()
    if _nom not in espace:
        raise NameError(_nom)
    marqueur = {marker}
    appels = []
    absent = object()

    def interdit(nom):
        def remplacant(*a, **k):
            appels.append(nom)
            raise RuntimeError(marqueur + " " + nom + " : fonction désactivée par le correcteur")
        return remplacant

    def objet(chemin):
        parties = chemin.split(".")
        o = importlib.import_module(parties[0])
        for i in range(1, len(parties)):
            try:
                o = getattr(o, parties[i])
            except Exception:
                o = importlib.import_module(".".join(parties[: i + 1]))
        return o

    cibles = []
    for chemin, nom in {targets}:
        proprietaire, _, attribut = chemin.rpartition(".")
        try:
            cibles.append((objet(proprietaire), attribut, nom))
        except Exception:
            pass
    for chemin, mots in {scans}:
        try:
            module = objet(chemin)
        except Exception:
            continue
        for attribut in dir(module):
            if any(m in attribut.lower() for m in mots):
                cibles.append((module, attribut, chemin + "." + attribut))
    anciens, vus, originaux = [], set(), {{}}
    for proprietaire, attribut, nom in cibles:
        if (id(proprietaire), attribut) in vus:
            continue
        try:
            valeur = getattr(proprietaire, attribut)
        except Exception:
            continue
        if not callable(valeur):
            continue
        try:
            propre = vars(proprietaire).get(attribut, absent)
        except TypeError:
            propre = valeur
        vus.add((id(proprietaire), attribut))
        anciens.append((proprietaire, attribut, propre, nom))
        originaux.setdefault(id(valeur), (valeur, nom))
    alias = [
        (k, v) for k, v in list(espace.items())
        if not k.startswith("__") and id(v) in originaux and originaux[id(v)][0] is v
    ]
    remplaces = []
    try:
        for proprietaire, attribut, propre, nom in anciens:
            try:
                setattr(proprietaire, attribut, interdit(nom))
            except Exception:
                continue
            remplaces.append((proprietaire, attribut, propre))
        for k, v in alias:
            espace[k] = interdit(originaux[id(v)][1])
        try:
            resultat = espace[_nom](*args, **kwargs)
        except KeyboardInterrupt:
            raise
        except BaseException:
            if appels:
                raise RuntimeError(marqueur + " " + appels[0]) from None
            raise
    finally:
        for proprietaire, attribut, propre in reversed(remplaces):
            if propre is absent:
                delattr(proprietaire, attribut)
            else:
                setattr(proprietaire, attribut, propre)
        for k, v in alias:
            espace[k] = v
    if appels:
        raise RuntimeError(marqueur + " " + appels[0])
    return resultat
'''


def _dotted(path: str, what: str) -> str:
    parts = path.split(".")
    if not all(p.isidentifier() for p in parts):
        raise ValueError(f"{what}: {path!r} is not a dotted Python path")
    return path


def without_library_source(
    helper: str,
    targets: Iterable[Target],
    marker: str,
    *,
    scans: Iterable[Scan] = (),
) -> str:
    """Trusted kernel source defining `helper(_nom, *args, **kwargs)`.

    The helper calls the kernel global `_nom` (NameError(_nom) if there is none) with every
    target, every function `scans` find, and every notebook global bound to one of them
    replaced by a raiser; it restores them all whatever happens. Any forbidden call,
    even one the student's code caught, ends in `RuntimeError(marker + " " + shown_name)`.
    Targets that this version of the library lacks, or that are not callable, are skipped,
    so one list serves several versions. A target is an attribute ("torch.conv2d"); its
    owner is imported when it is a module the notebook has not imported yet. Shown names
    are one word: the grader reads the first word after the marker.
    """
    if not helper.isidentifier() or keyword.iskeyword(helper):
        raise ValueError(f"without_library_source: helper {helper!r} is not a Python name")
    if not marker or any(c.isspace() for c in marker):
        raise ValueError(f"without_library_source: marker {marker!r} must be one word")
    pairs: list[tuple[str, str]] = []
    for target in targets:
        path, shown = (target, target) if isinstance(target, str) else target
        if "." not in _dotted(path, "without_library_source target"):
            raise ValueError(f"without_library_source: target {path!r} names no attribute")
        if not shown or any(c.isspace() for c in shown):
            raise ValueError(f"without_library_source: shown name {shown!r} must be one word")
        pairs.append((path, shown))
    words = [
        (_dotted(module, "without_library_source scan"), tuple(w.lower() for w in found))
        for module, found in scans
    ]
    if not pairs and not words:
        raise ValueError("without_library_source: nothing to switch off")
    return _KERNEL_SOURCE.format(
        helper=helper, marker=repr(marker), targets=repr(tuple(pairs)), scans=repr(tuple(words))
    )


@dataclass(frozen=True)
class LibraryGuard:
    """One TP's "compute it by hand" guard: what to switch off, and what to tell the student.

    `helper` is the kernel-side name of the guard, `marker` the word its error starts with
    (make both unique to the guard: "_ag_sans_attention", "AG_ATTENTION_INTERDITE"). A forbidden
    call fails the check with "`name` appelle F.conv2d : " followed by `hint_fr` (what to do
    instead, and what the grader switches off), and its English twin.
    """

    helper: str
    marker: str
    targets: tuple[Target, ...]
    scans: tuple[Scan, ...] = ()
    hint_fr: str = "programmez le calcul vous-même"
    hint_en: str = "write the computation yourself"

    def __post_init__(self) -> None:
        # A malformed guard fails where the TP declares it, not in the middle of a grading.
        without_library_source(self.helper, self.targets, self.marker, scans=self.scans)

    @property
    def source(self) -> str:
        """The kernel source defining `helper`; define it before calling through it."""
        return without_library_source(self.helper, self.targets, self.marker, scans=self.scans)

    def install(self, submission: Submission) -> Ref:
        """Define the guard in the kernel now; its `Ref`, for kernel-side code (`@kernel_side`)
        that calls a student function through it: `garde(name, *args, **kwargs)`.

        Install it again before every such call, as `call` does: the student's code ran since.
        """
        submission.define(self.helper, self.source)
        return Ref(self.helper)

    def call(
        self,
        submission: Submission,
        name: str,
        *args: Any,
        via: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """`submission.call(name, ...)` with the library switched off.

        `via` calls another kernel function instead (a grader helper that runs the student's
        model); messages still name `name`. A forbidden call raises `CheckFailed`; any other
        failure is the submission's usual error, labelled `name` rather than the helper,
        for the TP's own mapping (`ename`/`evalue` are the student's).
        """
        try:
            # Defined again before every call: the student's code ran since the last one.
            self.install(submission)
            return submission.call(self.helper, via or name, *args, timeout=timeout, **kwargs)
        except StudentError as exc:
            failed = self.failure(name, exc)
            if failed is not None:
                raise failed from None
            raise _renamed(exc, self.helper, name, via or name) from None
        except SubmissionError as exc:
            raise _renamed(exc, self.helper, name, via or name) from None

    def failure(self, name: str, exc: StudentError) -> CheckFailed | None:
        """The check failure for a forbidden call seen in `exc`, None for any other error.

        For kernel helpers of the TP that call the guard themselves (gradients through it).
        """
        if self.marker not in exc.evalue:
            return None
        words = exc.evalue.split(self.marker, 1)[1].split()
        called_fr = words[0][:_MAX_SHOWN] if words else "une fonction désactivée"
        called_en = words[0][:_MAX_SHOWN] if words else "a switched-off function"
        return CheckFailed(
            f"{name} appelle {called_fr} : {self.hint_fr}",
            f"{name} calls {called_en}: {self.hint_en}",
        )


def _renamed(exc: SubmissionError, helper: str, name: str, called: str) -> SubmissionError:
    """`exc` with its message naming the student's function instead of the guard."""
    if isinstance(exc, StudentError) and exc.ename == "NameError" and exc.evalue == called:
        message = Message(
            f"`{name}` n'est pas défini dans votre notebook : exécutez/complétez la cellule qui le définit",
            f"`{name}` is not defined in your notebook: complete the cell that defines it",
        )
    else:
        old, new = f"`{helper}`", f"`{name}`"
        message = Message(exc.message.fr.replace(old, new), exc.message.en.replace(old, new))
    if isinstance(exc, StudentError):
        return StudentError(message, exc.ename, exc.evalue)
    return type(exc)(message)


# -- the guards the course's TPs use ------------------------------------------------------------
# One declaration each, for the guards several TPs ask for (a TP's own helpers go in its
# checks folders: `from .helpers import f`, docs/authoring.md).

#: PyTorch's convolutions and poolings (TP03: conv2d and max-pooling by hand).
TORCH_CONVOLUTIONS = LibraryGuard(
    helper="_ag_sans_convolutions",
    marker="AG_CONVOLUTION_INTERDITE",
    targets=(
        ("torch.nn.functional.conv2d", "F.conv2d"),
        "torch.conv2d",
        "torch.convolution",
        ("torch.nn.Conv2d.forward", "nn.Conv2d"),
        ("torch.nn.functional.max_pool2d", "F.max_pool2d"),
        ("torch.nn.functional.max_pool2d_with_indices", "F.max_pool2d_with_indices"),
        "torch.max_pool2d",
        ("torch.nn.MaxPool2d.forward", "nn.MaxPool2d"),
        ("torch.nn.functional.adaptive_max_pool2d", "F.adaptive_max_pool2d"),
        "torch.adaptive_max_pool2d",
    ),
    hint_fr="programmez le calcul vous-même (boucles ou Tensor.unfold) ; le correcteur désactive "
    "les convolutions et poolings de PyTorch (F.conv2d, nn.Conv2d, F.max_pool2d...) pendant "
    "qu'il appelle votre code",
    hint_en="write the computation yourself (loops or Tensor.unfold); the grader switches "
    "PyTorch's convolutions and poolings (F.conv2d, nn.Conv2d, F.max_pool2d...) off while it "
    "calls your code",
)

#: PyTorch's own attention and Transformer layers, private kernels included (TP07: attention,
#: multi-head attention and a Transformer by hand).
TORCH_ATTENTION = LibraryGuard(
    helper="_ag_sans_attention",
    marker="AG_ATTENTION_INTERDITE",
    targets=(
        ("torch.nn.functional.scaled_dot_product_attention", "F.scaled_dot_product_attention"),
        ("torch._C._nn.scaled_dot_product_attention", "F.scaled_dot_product_attention"),
        ("torch.nn.functional.multi_head_attention_forward", "F.multi_head_attention_forward"),
        ("torch.nn.MultiheadAttention.forward", "nn.MultiheadAttention"),
        ("torch.nn.Transformer.forward", "nn.Transformer"),
        ("torch.nn.TransformerEncoder.forward", "nn.TransformerEncoder"),
        ("torch.nn.TransformerDecoder.forward", "nn.TransformerDecoder"),
        ("torch.nn.TransformerEncoderLayer.forward", "nn.TransformerEncoderLayer"),
        ("torch.nn.TransformerDecoderLayer.forward", "nn.TransformerDecoderLayer"),
        *(
            f"torch.ops.aten.{op}"
            for op in (
                "scaled_dot_product_attention",
                "_scaled_dot_product_attention_math",
                "_scaled_dot_product_flash_attention_for_cpu",
                "_scaled_dot_product_flash_attention",
                "_scaled_dot_product_efficient_attention",
                "_scaled_dot_product_cudnn_attention",
                "_native_multi_head_attention",
                "_transformer_encoder_layer_fwd",
            )
        ),
    ),
    scans=(("torch", ("attention", "transformer")),),
    hint_fr="programmez le calcul vous-même (produits matriciels, softmax, masque) ; le "
    "correcteur désactive l'attention de PyTorch (F.scaled_dot_product_attention, "
    "nn.MultiheadAttention, nn.Transformer...) pendant qu'il appelle votre code",
    hint_en="write the computation yourself (matrix products, softmax, mask); the grader "
    "switches PyTorch's attention off (F.scaled_dot_product_attention, nn.MultiheadAttention, "
    "nn.Transformer...) while it calls your code",
)

#: SciPy's Spearman correlation and ranking (TP10: Spearman's ranks by hand).
SCIPY_RANKS = LibraryGuard(
    helper="_ag_sans_rangs_scipy",
    marker="AG_RANGS_INTERDITS",
    targets=tuple(
        (f"{module}.{function}", f"{shown}.{function}")
        for module, shown in (
            ("scipy.stats", "scipy.stats"),
            ("scipy.stats._stats_py", "scipy.stats"),
            ("scipy.stats.mstats", "scipy.stats.mstats"),
            ("scipy.stats._mstats_basic", "scipy.stats.mstats"),
        )
        for function in ("spearmanr", "rankdata")
    ),
    hint_fr="calculez les rangs vous-même avec NumPy (np.unique, np.argsort) ; le correcteur "
    "désactive scipy.stats.spearmanr et scipy.stats.rankdata pendant qu'il appelle votre code",
    hint_en="compute the ranks yourself with NumPy (np.unique, np.argsort); the grader switches "
    "scipy.stats.spearmanr and scipy.stats.rankdata off while it calls your code",
)
