"""Find, in a hidden check's message, a number that check expected on its hidden input.

The course seed is the same on every push, so a hidden input is the same every time: a
hidden message that prints an expected value lets a student hard-code it. The check
helpers record what they expected (`CheckResult.expected`, see `record_expected`); this
module looks for those values in the messages (French and English) and in the rendered
feedback, however they were formatted:

- numbers as repr, `:.3g`, `:.4f`, `:.2e`, with a French decimal comma, a thousands
  separator ("26 425", "26,425"), as a percentage ("11.2 %" for 0.112), with either sign;
  a number written with n digits matches an expected value that rounds to it;
- shapes (kind "shape") as "(3, 4)", "[3, 4]", "3×4", "3 x 4"; a 1-D shape as its size;
- integer totals (≥ 100) as the sum of consecutive rows of a table in a message (the last
  number on each line).

Numbers the check sent to the student's code (kind "given", recorded by the proxy) are
not leaks where a message names them, nor are the shapes of arrays it sent ("given shape",
and a 1-D expected shape whose length is an axis of an input, like T), even if an expected value coincides (a layer's
bias count is its output width, a trajectory starts at x0), unless they are written as
the expectation ("attendu 4" for taille_sortie(4, 1) = 4 is a leak).

Trivial values, and what makes them so: a number is *round* when it has a single
significant digit (0, ±1, 2 … 9, 0.5, 20, 3e-4). Round numbers occur in any text
(indices, "1 valeur sur 4", "p = 0.5", tolerances), so an expected round number counts as
leaked only when it is written right after a word that states an expectation ("attendu",
"expected", "devrait", "should", "au lieu de", "instead of", "doit valoir", "must be",
"référence"). Likewise a number written with a single significant digit ("0.1" for an
expected 0.1234) leaks only in that context, and so does an integer written where a
non-integer was expected ("12" for 12.3): both carry little of the value.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from autograder.results import CheckResult, Expected, GradeReport, Message, Visibility

# A number: sign, integer part with optional thousands groups, decimals, exponent.
_NUMBER = re.compile(
    r"(?<![\w.,])([-−+]?)"
    r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,3}(?:,\d{3})+(?![.\d])|\d+)"
    r"(?:([.,])(\d+))?"
    r"(?:[eE]([-+−]?\d+))?"
    r"(?![\w])"
    r"(\s*%)?"
)
# An expectation word, then at most a few fillers ("attendu : ", "should be about ").
_EXPECT_WORDS = re.compile(
    r"(attendue?s?|expected|devrai(?:t|ent)|should|au lieu de|instead of|doit|must"
    r"|référence|reference)"
    r"(?:[\s:=≈~(]|\b(?:environ|about|around|de|of|être|be|valoir|vaut|is|was|était)\b)*$",
    re.IGNORECASE,
)
_CONTEXT_CHARS = 40  # how far back an expectation word may be
_MIN_TOTAL = 100  # smaller totals come out of any few small numbers (indices, points)


@dataclass(frozen=True)
class Token:
    """One number written in a text, with every value it may stand for."""

    start: int
    end: int
    candidates: tuple[tuple[float, float], ...]  # (value, resolution of the written digits)
    significant: int  # significant digits written
    integral: bool  # written without decimals or exponent
    in_context: bool  # right after an expectation word


def _significant(digits: str) -> int:
    stripped = digits.lstrip("0")
    return max(len(stripped), 1 if digits else 0)


def number_tokens(text: str) -> list[Token]:
    """Every number in `text`, with its possible readings (a comma may be either separator)."""
    tokens: list[Token] = []
    for m in _NUMBER.finditer(text):
        sign, whole, sep, frac, exp, pct = m.groups()
        negative = sign in ("-", "−")
        exponent = int(exp.replace("−", "-")) if exp else 0
        readings: list[tuple[str, str]] = []  # (integer digits, fraction digits)
        plain = re.sub(r"[ \u00a0\u202f,]", "", whole)
        readings.append((plain, frac or ""))
        if "," in whole and not frac and whole.count(",") == 1:
            a, b = whole.split(",")
            readings.append((a, b))  # "26,425" may be the French 26.425
        candidates: list[tuple[float, float]] = []
        sig = 0
        for int_digits, frac_digits in readings:
            value = float(f"{int_digits}.{frac_digits or '0'}") * 10.0**exponent
            resolution = 10.0 ** (exponent - len(frac_digits))
            if pct:
                value, resolution = value / 100, resolution / 100
            candidates.append((-value if negative else value, resolution))
            sig = max(sig, _significant(int_digits + frac_digits))
        before = text[max(0, m.start() - _CONTEXT_CHARS) : m.start()]
        last_digit = max((i for i, ch in enumerate(before) if ch.isdigit()), default=-1)
        context = bool(_EXPECT_WORDS.search(before[last_digit + 1 :]))
        integral = not frac and not exp and len(readings) == 1
        tokens.append(Token(m.start(), m.end(), tuple(candidates), sig, integral, context))
    return tokens


def is_round(value: float) -> bool:
    """A single significant digit: 0, ±1 … ±9, 0.5, 20, 3e-4 (see the module docstring)."""
    if value == 0:
        return True
    return len(f"{abs(value):.15e}".split("e")[0].rstrip("0").replace(".", "")) <= 1


def _matches(token: Token, expected: float) -> bool:
    """The written number is `expected` (or its opposite) rounded to the digits shown."""
    for value, resolution in token.candidates:
        for target in (expected, -expected):
            if value == target:
                return True
            if abs(value - target) <= 0.5 * resolution * (1 + 1e-9) + 1e-12 * abs(target):
                return True
    return False


def _counts(token: Token, expected: float) -> bool:
    """Whether a matching token is a leak, given the trivial-value rules."""
    if token.in_context:
        return True
    if is_round(expected) or token.significant < 2:
        return False
    return not (token.integral and not float(expected).is_integer())


def value_leaks(text: str, expected: float, tokens: list[Token] | None = None) -> list[str]:
    """The places in `text` where `expected` is written."""
    if not math.isfinite(expected):
        return []
    return [
        text[t.start : t.end].strip()
        for t in (number_tokens(text) if tokens is None else tokens)
        if _matches(t, expected) and _counts(t, expected)
    ]


def shape_leaks(text: str, dims: Sequence[int], tokens: list[Token] | None = None) -> list[str]:
    """The places in `text` where the shape `dims` is written (a 1-D shape: its size)."""
    if len(dims) == 1:
        return value_leaks(text, float(dims[0]), tokens)
    if not dims:
        return []
    sep = r"\s*[,×x*]\s*"
    body = re.compile(r"(?<![\d.])" + sep.join(str(int(d)) for d in dims) + r"(?![\d.])")
    found = []
    for m in body.finditer(text):
        before, after = text[: m.start()], text[m.end() :]
        if re.search(r"\d" + sep + r"$", before) or re.match(sep + r"\d", after):
            continue  # part of a longer tuple
        found.append(m.group(0))
    return found


def total_leaks(text: str, expected: float) -> list[str]:
    """Consecutive table rows (the last integer of each line) adding up to `expected`."""
    if not float(expected).is_integer() or is_round(expected) or abs(expected) < _MIN_TOTAL:
        return []
    found: list[str] = []
    for rows in _table_blocks(text):
        for i in range(len(rows)):
            total = 0
            for j in range(i, len(rows)):
                total += rows[j]
                if j > i and total == expected:
                    found.append(f"rows {rows[i : j + 1]} sum to {int(expected)}")
    return found


def _table_blocks(text: str) -> list[list[int]]:
    """Runs of two or more consecutive lines holding an integer: the last integer of each."""
    blocks: list[list[int]] = []
    block: list[int] = []
    for line in [*text.splitlines(), ""]:
        ints = [t for t in number_tokens(line) if t.integral]
        if ints:
            block.append(int(ints[-1].candidates[0][0]))
        elif block:
            blocks.append(block)
            block = []
    return [b for b in blocks if len(b) >= 2]


_SHAPE_TEXT = re.compile(r"[(\[]\s*\d+\s*,\s*[)\]]|[(\[]\s*\d+(?:\s*,\s*\d+)+\s*[)\]]")


def _shape_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` writes a shape: integers in a tuple or list, "(1,)", "(3, 4)", "[3, 4]"."""
    return [m.span() for m in _SHAPE_TEXT.finditer(text)]


def _inside(token: Token, spans: list[tuple[int, int]]) -> bool:
    return any(a <= token.start and token.end <= b for a, b in spans)


def leaks(text: str, expected: Iterable[Expected], *, tables: bool = True) -> list[str]:
    """Every expected value written in `text`, as 'what = value: "as written"'.

    `tables=False` skips table totals: in a whole rendered report the points columns and
    the other checks' lines would add up to anything.
    """
    records = list(expected)
    given = {v for r in records if r.kind == "given" for v in r.values}
    given_shapes = {tuple(int(v) for v in r.values) for r in records if r.kind == "given shape"}
    given_dims = {float(d) for shape in given_shapes for d in shape}
    # A number the check sent to the student's code may be named (an input width, x0),
    # unless it is stated as the expectation.
    # An input's axis length written inside a shape ("renvoie la forme () au lieu de (1,)" for
    # a one-example input) is that shape, not a value rounded to one digit: the shape rules
    # below judge it.
    in_shapes = _shape_spans(text)
    tokens = [
        t for t in number_tokens(text)
        if (t.in_context or not any(_matches(t, g) for g in given))
        and not (t.integral and _inside(t, in_shapes) and t.candidates[0][0] in given_dims)
    ]
    blocks = _table_blocks(text) if tables else []
    found: list[str] = []
    for record in records:
        if record.kind in ("given", "given shape"):
            continue
        if record.kind == "shape":
            dims = [int(v) for v in record.values]
            if tuple(dims) in given_shapes or (len(dims) == 1 and dims[0] in given_dims):
                continue  # an input's shape, or an input's axis length (T): the code got it
            found += [f"{record.what} = {tuple(dims)}: {w!r}" for w in shape_leaks(text, dims, tokens)]
            continue
        seen: set[float] = set()
        for v in record.values:
            if v in seen:
                continue
            seen.add(v)
            hits = value_leaks(text, v, tokens)
            if blocks:
                hits += total_leaks(text, v)
            found += [f"{record.what} = {v!r}: {w!r}" for w in hits]
    return found


def check_leaks(check: CheckResult) -> list[str]:
    """What a hidden check's message (French and English) shows of its expected values."""
    if check.visibility != Visibility.HIDDEN or check.message is None or not check.expected:
        return []
    found: list[str] = []
    for lang, text in (("fr", check.message.fr), ("en", check.message.en)):
        found += [f"{check.name} [{lang}] {hit}" for hit in leaks(text, check.expected)]
    return found


def _rendered(report: GradeReport) -> dict[str, str]:
    from autograder.render import to_html, to_junit, to_markdown

    out: dict[str, str] = {}
    for lang in ("fr", "en"):
        out[f"feedback.md [{lang}]"] = to_markdown(report, lang)
        out[f"feedback.html [{lang}]"] = html.unescape(to_html(report, lang))
        out[f"junit.xml [{lang}]"] = html.unescape(to_junit(report, lang))
    return out


def report_leaks(report: GradeReport, *, rendered: bool = True) -> list[str]:
    """Every hidden check's leak in its messages and, if `rendered`, in the feedback files.

    A rendered file leaks when an expected value occurs there more often than in the same
    file rendered with that check's message left out (the rest of the report, e.g. a public
    check about the same model, may show the same number legitimately).
    """
    found: list[str] = []
    for check in report.checks:
        found += check_leaks(check)
    if not rendered:
        return found
    full = _rendered(report)
    for i, check in enumerate(report.checks):
        if check.visibility != Visibility.HIDDEN or check.message is None or not check.expected:
            continue
        blank = replace(check, message=Message("", ""))
        without = _rendered(replace(report, checks=(*report.checks[:i], blank, *report.checks[i + 1 :])))
        for name, text in full.items():
            extra = len(leaks(text, check.expected, tables=False)) - len(
                leaks(without[name], check.expected, tables=False)
            )
            if extra > 0:
                found.append(f"{check.name} in {name}: {extra} more expected value(s) shown")
    return found
