"""Validate values that came back from student code, then compare them.

Everything a check receives from `submission` is hostile data: it may have the wrong
shape, hide NaNs, be an ndarray subclass with overridden operators (a masked array hides
entries from comparisons), carry object dtype or be big enough to exhaust memory. The
helpers here turn such values into plain, owned, finite `np.ndarray` copies, or raise
`CheckFailed` with a message the student can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograder.checks.errors import CheckFailed, show_expected
from autograder.checks.margins import record_expected, record_margin

MAX_ELEMENTS = 50_000_000
"""Largest array a check accepts (400 MB in float64); larger ones are rejected, not copied."""

_MAX_DEPTH = 32  # nesting depth of lists; numpy itself stops at 64 dimensions
_NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float
_INT64_MAX = 2**63 - 1

ShapeSpec = Sequence[int | None] | int | None


# ---------------------------------------------------------------- formatting helpers


def fmt_value(value: Any) -> str:
    """A short rendering of one number for messages (6 significant digits)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.6g}"


def fmt_order(error: float) -> str:
    """A relative error to one significant digit ("0.3", "2e-05"): its order of magnitude
    is what a student acts on, and more digits of an error on a hidden input would read
    like a value that check expects (against the student's own value, it gives one back)."""
    return f"{float(error):.1g}"


def fmt_pair(got: Any, expected: Any) -> tuple[str, str]:
    """Two numbers rendered with the fewest digits (6 at least) that tell them apart.

    `fmt_value` alone shows a float32 0.11199999 and 0.112 both as "0.112", and a message
    "obtenu 0.112, attendu 0.112" helps nobody.
    """
    g, e = fmt_value(got), fmt_value(expected)
    if g != e or isinstance(got, (bool, np.bool_, int, np.integer)):
        return g, e
    a, b = float(got), float(expected)
    for digits in range(7, 18):
        g, e = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if g != e:
            break
    return g, e


def fmt_shape(shape: Sequence[int | None]) -> str:
    """`(3, 4)`, `(3,)`, `()`; a wildcard dimension (None) shows as `?`."""
    parts = ["?" if d is None else str(int(d)) for d in shape]
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


def fmt_index(index: Sequence[int]) -> str:
    """`[3, 7]`: the position of an entry, as a student would index it."""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def with_hint(text: str, hint: str, sep: str) -> str:
    """Append an author's hint to a message, if there is one."""
    return f"{text}{sep}{hint}" if hint else text


def _reject(name: str, fr: str, en: str) -> CheckFailed:
    return CheckFailed(f"{name} : {fr}", f"{name}: {en}")


# ---------------------------------------------------------------- validation


def _is_numpy_scalar(item: object) -> bool:
    return isinstance(item, (np.number, np.bool_)) and type(item).__module__ == "numpy"


def _check_int_range(item: object, name: str) -> None:
    """Python ints beyond 64 bits would silently become object arrays (and huge strings)."""
    if type(item) is int and not -(2**63) <= item < 2**64:
        raise _reject(name, "entier hors limites (64 bits)", "integer out of range (64 bits)")


def _scan_nested(value: list | tuple, name: str) -> None:
    """Walk nested lists before numpy does: only numbers and plain arrays, bounded size.

    Doing this ourselves keeps foreign objects (ndarray subclasses, objects with
    `__array__` or `__float__`) out of `np.array`, and bounds the work on deep nesting.
    """
    stack: list[tuple[list | tuple, int]] = [(value, 0)]  # containers only, not numbers
    count = 0
    while stack:
        container, depth = stack.pop()
        if depth >= _MAX_DEPTH:
            raise _reject(
                name,
                f"listes imbriquées sur plus de {_MAX_DEPTH} niveaux",
                f"lists nested more than {_MAX_DEPTH} levels deep",
            )
        for item in container:
            kind = type(item)
            if kind is list or kind is tuple:
                stack.append((item, depth + 1))
                continue
            if kind is np.ndarray:
                count += item.size
            elif kind in (int, float, bool) or _is_numpy_scalar(item):
                _check_int_range(item, name)
                count += 1
            else:
                raise _reject(
                    name,
                    f"élément de type {kind.__name__} inattendu dans la liste (nombres attendus)",
                    f"unexpected element of type {kind.__name__} in the list (numbers expected)",
                )
            if count > MAX_ELEMENTS:
                raise _too_large(name)


def _too_large(name: str) -> CheckFailed:
    return _reject(
        name,
        f"tableau trop grand (plus de {MAX_ELEMENTS} éléments)",
        f"array too large (more than {MAX_ELEMENTS} elements)",
    )


def _check_kind(x: np.ndarray, name: str) -> None:
    kind = x.dtype.kind
    if kind in _NUMERIC_KINDS and x.dtype.fields is None:
        return
    if kind == "c":
        fr, en = "nombres complexes non acceptés", "complex numbers are not accepted"
    elif kind in "OUSV":
        fr = f"type de données {x.dtype} non numérique (nombres attendus)"
        en = f"non-numeric dtype {x.dtype} (numbers expected)"
    else:
        fr = f"type de données {x.dtype} non accepté"
        en = f"dtype {x.dtype} is not accepted"
    raise _reject(name, fr, en)


def _normalise_shape(shape: ShapeSpec) -> tuple[int | None, ...] | None:
    if shape is None:
        return None
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(None if d is None else int(d) for d in shape)


def _check_shape(x: np.ndarray, name: str, shape: tuple[int | None, ...]) -> None:
    ok = x.ndim == len(shape) and all(
        d is None or d == s for d, s in zip(shape, x.shape, strict=True)
    )
    if ok:
        return
    if show_expected():
        fr = f"forme attendue {fmt_shape(shape)}, obtenue {fmt_shape(x.shape)}"
        en = f"expected shape {fmt_shape(shape)}, got {fmt_shape(x.shape)}"
    else:  # a hidden input's expected shape is an expected value too (an output size...)
        fr = f"forme obtenue {fmt_shape(x.shape)}, ce n'est pas la forme attendue sur des entrées cachées"
        en = f"got shape {fmt_shape(x.shape)}, not the expected shape on hidden inputs"
    if x.ndim == 2 and len(shape) == 2 and tuple(x.shape[::-1]) == shape and x.shape != shape:
        fr += " (transposée ?)"
        en += " (transposed?)"
    raise _reject(name, fr, en)


def _first_index(mask: np.ndarray) -> str:
    return fmt_index(np.unravel_index(int(np.argmax(mask)), mask.shape)) if mask.ndim else ""


def _cast(x: np.ndarray, name: str, dtype: npt.DTypeLike) -> np.ndarray:
    target = np.dtype(dtype)
    if target.kind in "iu" and x.dtype.kind in "iuf" and x.size:
        if x.dtype.kind == "f":
            bad = ~np.isfinite(x) | (x != np.round(x))
            if bad.any():
                raise _reject(
                    name,
                    f"valeurs entières attendues, p. ex. en {_first_index(bad)}",
                    f"integer values expected, e.g. at {_first_index(bad)}",
                )
        info = np.iinfo(target)
        if x.min() < info.min or x.max() > info.max:
            raise _reject(
                name,
                f"valeurs hors de l'intervalle de {target}",
                f"values outside the range of {target}",
            )
    if target.kind == "b" and x.dtype.kind != "b" and not np.isin(x, (0, 1)).all():
        raise _reject(name, "valeurs 0/1 attendues", "0/1 values expected")
    with np.errstate(over="ignore", invalid="ignore"):
        return x.astype(target, copy=False)


def as_array(
    value: Any,
    name: str,
    *,
    shape: ShapeSpec = None,
    dtype: npt.DTypeLike | None = np.float64,
    allow_nan: bool = False,
) -> np.ndarray:
    """Validate a hostile value and return it as a fresh, plain `np.ndarray`.

    Accepts a plain ndarray, (nested) lists/tuples of numbers, and Python or numpy numeric
    scalars. `shape` may use None as a wildcard dimension. `dtype=None` keeps the
    (numeric) dtype. `allow_nan=True` accepts NaN and ±inf. The result never aliases the
    input, so student-side references cannot change it afterwards.
    """
    kind = type(value)
    if isinstance(value, np.ndarray):
        if kind is not np.ndarray:
            raise _reject(
                name,
                f"type {kind.__name__} non accepté (un np.ndarray simple est attendu)",
                f"type {kind.__name__} is not accepted (a plain np.ndarray is expected)",
            )
        if value.size > MAX_ELEMENTS:  # before copying: a broadcast view can be huge
            raise _too_large(name)
        _check_kind(value, name)
    elif kind is list or kind is tuple:
        _scan_nested(value, name)
    elif not (kind in (int, float, bool) or _is_numpy_scalar(value)):
        raise _reject(
            name,
            f"type {kind.__name__} non accepté (tableau ou nombre attendu)",
            f"type {kind.__name__} is not accepted (array or number expected)",
        )
    else:
        _check_int_range(value, name)

    try:
        x = np.array(value, copy=True)
    except (ValueError, TypeError, OverflowError) as exc:
        if "inhomogeneous" in str(exc):
            raise _reject(
                name,
                "listes imbriquées de longueurs différentes (tableau irrégulier)",
                "nested lists of different lengths (ragged array)",
            ) from None
        reason = type(exc).__name__
        raise _reject(
            name,
            f"conversion en tableau impossible ({reason})",
            f"cannot be converted to an array ({reason})",
        ) from None
    if type(x) is not np.ndarray:  # defence in depth: numpy must hand back a base array
        raise _reject(name, "type de tableau non accepté", "array type not accepted")
    if x.size > MAX_ELEMENTS:
        raise _too_large(name)
    _check_kind(x, name)

    wanted = _normalise_shape(shape)
    if wanted is not None:
        if wanted and None not in wanted:
            record_expected(f"{name} shape", wanted, shape=True)
        _check_shape(x, name, wanted)
    if dtype is not None:
        x = _cast(x, name, dtype)
    if not allow_nan and x.dtype.kind == "f":
        finite = np.isfinite(x)
        if not finite.all():
            where = _first_index(~finite)
            raise _reject(
                name,
                "contient des valeurs non finies (NaN ou inf)"
                + (f", p. ex. en {where}" if where else ""),
                "contains non-finite values (NaN or inf)" + (f", e.g. at {where}" if where else ""),
            )
    return x


def _single(value: Any, name: str, allow_nan: bool) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)):
        raise _reject(
            name, "un nombre est attendu, pas un booléen", "a number is expected, not a boolean"
        )
    x = as_array(value, name, dtype=None, allow_nan=allow_nan)
    if x.dtype.kind == "b":
        raise _reject(
            name, "un nombre est attendu, pas un booléen", "a number is expected, not a boolean"
        )
    if x.size != 1:
        raise _reject(
            name,
            f"un seul nombre est attendu, obtenu un tableau de forme {fmt_shape(x.shape)}",
            f"a single number is expected, got an array of shape {fmt_shape(x.shape)}",
        )
    return x.reshape(())


def as_float(value: Any, name: str, *, allow_nan: bool = False) -> float:
    """A single finite number (a size-1 array is accepted: `tensor([0.5])` comes back so)."""
    return float(_single(value, name, allow_nan))


def as_int(value: Any, name: str) -> int:
    """A single integer; 3.0 is accepted, 2.5, NaN and booleans are not."""
    x = _single(value, name, allow_nan=False)
    if x.dtype.kind == "f":
        v = float(x)
        if not v.is_integer():
            raise _reject(
                name,
                f"un entier est attendu, obtenu {fmt_value(v)}",
                f"an integer is expected, got {fmt_value(v)}",
            )
        if abs(v) > _INT64_MAX:
            raise _reject(name, "entier hors limites", "integer out of range")
        return int(v)
    return int(x)


# ---------------------------------------------------------------- comparisons


def reference_array(
    value: Any,
    name: str,
    *,
    dtype: npt.DTypeLike | None = np.float64,
    allow_nan: bool = True,
) -> np.ndarray:
    """Validate the author's reference: a bad one is a bug in the check, not the student's.

    Raises ValueError (the plugin reports an error in the check) instead of CheckFailed.
    """
    try:
        return as_array(value, name, dtype=dtype, allow_nan=allow_nan)
    except CheckFailed as exc:
        raise ValueError(f"invalid reference value: {exc.message.en}") from None


def _worst_first(excess: np.ndarray, k: int) -> np.ndarray:
    """Flat indices of the k largest entries, largest first (ties: lowest index first)."""
    if excess.size > 100_000:  # a full sort of a 50M-entry array would take seconds
        candidates = np.argpartition(-excess, k - 1)[:k]
        return candidates[np.lexsort((candidates, -excess[candidates]))]
    return np.argsort(-excess, kind="stable")[:k]


def _record_tolerance_used(
    name: str, x: np.ndarray, exp: np.ndarray, rtol: float | np.ndarray, atol: float | np.ndarray
) -> None:
    """The worst |got − expected| / (atol + rtol·|expected|): 1.0 is the edge of acceptance."""
    if x.size == 0 or not np.issubdtype(x.dtype, np.number):
        return
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        xf, ef = x.astype(np.float64), exp.astype(np.float64)
        both_nan = np.isnan(xf) & np.isnan(ef)
        ratio = np.abs(xf - ef) / (atol + rtol * np.abs(ef))
        ratio = np.where(both_nan, 0.0, ratio)
        ratio = np.where(np.isnan(ratio), np.inf, ratio)
    record_margin(f"{name} error / tolerance", float(ratio.max()), 1.0,
                  higher_is_better=False, kind="tolerance")


def assert_close(
    got: Any,
    expected: Any,
    *,
    name: str,
    rtol: float | np.ndarray = 1e-5,
    atol: float | np.ndarray = 1e-8,
    hint_fr: str = "",
    hint_en: str = "",
) -> None:
    """Entry-wise `|got - expected| <= atol + rtol * |expected|`, like `np.isclose`
    (per-entry tolerances broadcast against `expected`, as there).

    The failure message gives the number of entries out of tolerance, the max absolute
    error, the worst entry's index and, in a public check only, a few got/expected values
    (a hidden check's message never shows an expected value: `show_expected()`). NaN in `got` is only
    accepted where `expected` has NaN at the same place.
    """
    exp = reference_array(expected, f"{name} (reference)")
    record_expected(name, exp)
    allow_nan = not bool(np.isfinite(exp).all())
    x = as_array(got, name, shape=exp.shape, allow_nan=allow_nan)

    close = np.isclose(x, exp, rtol=rtol, atol=atol, equal_nan=True)
    _record_tolerance_used(name, x, exp, rtol, atol)
    if close.all():
        return
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(x - exp)
        diff = np.where(np.isnan(diff), np.inf, diff)
        excess = diff - (atol + rtol * np.abs(exp))
    excess = np.where(close, -np.inf, np.where(np.isnan(excess), np.inf, excess))
    max_abs = fmt_value(float(np.where(close, 0.0, diff).max()))
    tol = f"rtol={_fmt_tol(rtol)}, atol={_fmt_tol(atol)}"
    hint_en = hint_en or hint_fr

    if not show_expected():
        # Hidden check: which entries are wrong, never a value the answer could be read from.
        n_bad, n = int((~close).sum()), x.size
        where = ""
        if x.ndim:
            worst = np.unravel_index(int(_worst_first(excess.reshape(-1), 1)[0]), x.shape)
            where = f" ; pire écart en {fmt_index(worst)}"
        fr = f"{name} ne correspond pas à la valeur attendue sur des entrées cachées : {n_bad} valeur(s) sur {n} hors tolérance ({tol}){where}"
        en = f"{name} does not match the expected value on hidden inputs: {n_bad} of {n} value(s) out of tolerance ({tol}){where.replace(' ; pire écart en', '; worst at')}"
        raise CheckFailed(with_hint(fr, hint_fr, " ; "), with_hint(en, hint_en, "; "))

    if x.ndim == 0:
        g, e = fmt_pair(x.item(), exp.item())
        fr = f"{name} ne correspond pas à la valeur attendue : obtenu {g}, attendu {e} (erreur absolue {max_abs}, {tol})"
        en = f"{name} does not match the expected value: got {g}, expected {e} (absolute error {max_abs}, {tol})"
        raise CheckFailed(with_hint(fr, hint_fr, " ; "), with_hint(en, hint_en, "; "))

    n_bad, n = int((~close).sum()), x.size
    order = _worst_first(excess.reshape(-1), min(3, n_bad))
    entries = []
    for flat in order:
        idx = np.unravel_index(int(flat), x.shape)
        entries.append((fmt_index(idx), *fmt_pair(x[idx], exp[idx])))
    (i0, g0, e0), rest = entries[0], entries[1:]
    fr = (
        f"{name} ne correspond pas à la valeur attendue : {n_bad} valeur(s) sur {n} hors "
        f"tolérance ({tol}), erreur absolue max {max_abs} ; pire écart en {i0} : "
        f"obtenu {g0}, attendu {e0}"
    )
    en = (
        f"{name} does not match the expected value: {n_bad} of {n} value(s) out of "
        f"tolerance ({tol}), max absolute error {max_abs}; worst at {i0}: "
        f"got {g0}, expected {e0}"
    )
    if rest:
        fr += " ; autres : " + ", ".join(f"{i} (obtenu {g}, attendu {e})" for i, g, e in rest)
        en += "; others: " + ", ".join(f"{i} (got {g}, expected {e})" for i, g, e in rest)
    raise CheckFailed(with_hint(fr, hint_fr, " ; "), with_hint(en, hint_en, "; "))


def _fmt_tol(tol: Any) -> str:
    """A tolerance for the message: np.isclose also takes per-entry ones (their max is shown)."""
    return f"{float(tol):g}" if np.ndim(tol) == 0 else f"≤{float(np.max(tol)):g}"


def assert_equal_int(
    got: Any,
    expected: int,
    *,
    name: str,
    hint_fr: str = "",
    hint_en: str = "",
) -> None:
    """Exact integer equality (counts, shapes, labels), after validating `got`."""
    want = int(expected)
    record_expected(name, want)
    value = as_int(got, name)
    if value != want:
        if show_expected():
            fr = f"{name} : obtenu {value}, attendu {want}"
            en = f"{name}: got {value}, expected {want}"
        else:
            fr = f"{name} : obtenu {value}, ce n'est pas la valeur attendue sur des entrées cachées"
            en = f"{name}: got {value}, not the expected value on hidden inputs"
        raise CheckFailed(with_hint(fr, hint_fr, " ; "), with_hint(en, hint_en or hint_fr, "; "))
