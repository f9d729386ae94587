"""Parameter counts: the reference side (torch modules, MLP formula) and the check."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autograder.bridge.values import Handle, SubmissionError
from autograder.checks.errors import CheckFailed, show_expected
from autograder.checks.kernel_code import kernel_side
from autograder.checks.margins import record_expected
from autograder.checks.references import relabel
from autograder.checks.values import as_array, as_int, fmt_shape, with_hint

if TYPE_CHECKING:
    from torch import nn

Breakdown = list[tuple[str, tuple[int, ...], int]]

_MAX_ENTRIES = 10_000  # a state dict from student code with more keys is not a real model
_MAX_NAME = 80  # parameter names shown in messages are cut to this length
_BIAS_NAME = re.compile(r"(bias\w*|b\d*)", re.IGNORECASE)


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters of a torch module (shared parameters counted once)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _is_module(obj: object) -> bool:
    try:
        from torch import nn
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return isinstance(obj, nn.Module)


def param_breakdown(module_or_state: nn.Module | Mapping[str, Any]) -> Breakdown:
    """(name, shape, count) per trainable parameter of a module, or per entry of a state dict.

    A state dict may come from student code: keys must be strings, values arrays (tensors
    come back from the kernel as arrays); anything else fails the check. Note that a
    state dict also lists buffers (BatchNorm running statistics), which are not trained.
    """
    if _is_module(module_or_state):
        return [
            (name, tuple(p.shape), p.numel())
            for name, p in module_or_state.named_parameters()  # type: ignore[union-attr]
            if p.requires_grad
        ]
    if type(module_or_state) not in (dict, OrderedDict):  # state_dict() is an OrderedDict
        raise CheckFailed(
            f"dictionnaire de paramètres attendu, obtenu {type(module_or_state).__name__}",
            f"a parameter dictionary was expected, got {type(module_or_state).__name__}",
        )
    if len(module_or_state) > _MAX_ENTRIES:
        raise CheckFailed(
            f"trop d'entrées dans le dictionnaire de paramètres ({len(module_or_state)})",
            f"too many entries in the parameter dictionary ({len(module_or_state)})",
        )
    rows: Breakdown = []
    for key, value in module_or_state.items():
        if type(key) is not str:
            raise CheckFailed(
                "les noms de paramètres doivent être des chaînes",
                "parameter names must be strings",
            )
        label = key[:_MAX_NAME]
        if type(value).__module__.startswith("torch"):  # a grader-side state_dict()
            shape = tuple(int(d) for d in value.shape)
        else:
            shape = tuple(int(d) for d in as_array(value, label, dtype=None).shape)
        count = 1
        for d in shape:
            count *= d
        rows.append((label, shape, count))
    return rows


@kernel_side
def named_parameter_shapes(model):
    """(name, shape) of each trainable parameter of a module, as model.parameters() yields
    them: a parameter reachable under two names (an alias, a layer reused in an nn.Sequential)
    once, under its first name. A state_dict() lists it under every name."""
    return [[str(name), [int(d) for d in p.shape]]
            for name, p in model.named_parameters() if p.requires_grad]


def module_param_breakdown(submission: Any, model: Handle, what: str) -> Breakdown:
    """`param_breakdown` of a student's module that lives in the kernel (a `Handle`): its
    trainable parameters counted as `model.parameters()` counts them (shared ones once),
    which its `state_dict()` does not (an alias `self.couche = self.fc1`, or `fc1` reused in
    an `nn.Sequential`, lists the same tensors twice). `what` names the module in messages."""
    try:
        rows = named_parameter_shapes.call(submission, model)
    except SubmissionError as exc:
        raise relabel(exc, named_parameter_shapes.ref_name, f"{what}.named_parameters") from None
    bad = CheckFailed(
        f"{what}.named_parameters() ne donne pas des couples (nom, paramètre)",
        f"{what}.named_parameters() does not give (name, parameter) pairs",
    )
    if not isinstance(rows, list) or len(rows) > _MAX_ENTRIES:
        raise bad
    out: Breakdown = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)
                and isinstance(row[1], list)):
            raise bad
        shape = tuple(as_int(d, f"{what}: {row[0][:_MAX_NAME]}") for d in row[1])
        count = 1
        for d in shape:
            count *= d
        out.append((row[0][:_MAX_NAME], shape, count))
    return out


def mlp_param_count(widths: Sequence[int]) -> int:
    """Σ h_i·h_{i+1} + h_{i+1}: weights plus biases of a fully connected net of these widths."""
    sizes = list(widths)
    if len(sizes) < 2:
        raise ValueError("mlp_param_count: at least two widths (input and output) are needed")
    for h in sizes:
        if isinstance(h, bool) or not isinstance(h, int) or h <= 0:
            raise ValueError(f"mlp_param_count: widths must be positive ints, got {h!r}")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def _is_bias(name: str) -> bool:
    return bool(_BIAS_NAME.fullmatch(name.rsplit(".", 1)[-1]))


def bias_count(breakdown: Breakdown) -> int:
    """Entries named like biases: `bias`, `fc1.bias`, `b`, `b1`, `layers.0.b2`."""
    return sum(count for name, _, count in breakdown if _is_bias(name))


def format_breakdown(breakdown: Breakdown, *, lang: str = "fr") -> str:
    """A plain-text table, one line per parameter, then the total."""
    header = ("paramètre", "forme", "nombre") if lang == "fr" else ("parameter", "shape", "count")
    rows = [(name, fmt_shape(shape), str(count)) for name, shape, count in breakdown]
    rows.append(("total", "", str(sum(c for _, _, c in breakdown))))
    w0 = max(len(r[0]) for r in [header, *rows])
    w1 = max(len(r[1]) for r in [header, *rows])
    w2 = max(len(r[2]) for r in [header, *rows])
    lines = [f"  {a:<{w0}}  {b:<{w1}}  {c:>{w2}}".rstrip() for a, b, c in [header, *rows]]
    return "\n".join(lines)


def assert_param_count(
    got: Any,
    expected: int,
    *,
    breakdown: Breakdown | None = None,
    name: str,
    hint_fr: str = "",
    hint_en: str = "",
    n_biases: int | None = None,
    breakdown_is_answer: bool = False,
    show_got: bool = True,
) -> None:
    """Exact parameter count; the message adds `breakdown` as a table when given.

    Recognises the classic mistake of counting weights but not biases: `n_biases` if
    given, else the bias entries of `breakdown`. In a hidden check the table is shown only
    when it is the student's own model (`breakdown_is_answer=True`): the reference's table
    adds up to the expected count, and the count of missing biases is not named either.
    `show_got=False` leaves the student's own count out of a hidden message too, where it and
    the student's formula give the hidden configuration back (TP03's formula counts).
    """
    want = int(expected)
    biases = n_biases if n_biases is not None else (bias_count(breakdown) if breakdown else 0)
    record_expected(name, want)
    if biases:
        record_expected(f"{name}: biases", biases)
    value = as_int(got, name)
    if value == want:
        return
    shown = show_expected()
    if shown:
        fr = f"{name} : obtenu {value}, attendu {want}"
        en = f"{name}: got {value}, expected {want}"
    else:
        got_fr, got_en = (f"obtenu {value}, ", f"got {value}, ") if show_got else ("", "")
        fr = f"{name} : {got_fr}ce n'est pas le nombre attendu sur des entrées cachées"
        en = f"{name}: {got_en}not the expected count on hidden inputs"
    if biases and value == want - biases:
        n_fr, n_en = (f"les {biases} ", f"the {biases} ") if shown else ("les ", "the ")
        fr += f" ; c'est le compte sans les biais : il manque {n_fr}paramètres de biais (chaque couche a un biais par neurone de sortie)"
        en += f"; that is the count without the biases: {n_en}bias parameters are missing (each layer has one bias per output unit)"
    fr = with_hint(fr, hint_fr, " ; ")
    en = with_hint(en, hint_en or hint_fr, "; ")
    if breakdown and (shown or breakdown_is_answer):
        fr += "\nDétail par couche :\n" + format_breakdown(breakdown, lang="fr")
        en += "\nPer-layer breakdown:\n" + format_breakdown(breakdown, lang="en")
    raise CheckFailed(fr, en)
