"""Normalisation (a renamed, reformatted, commented copy gives the same token stream).

Cells are tokenized with Python's ``tokenize``. Dropped: comments, blank lines, indentation,
docstrings and every other bare-string statement, a trailing comma before a closing bracket,
a newline right after ``:``. Newlines and ``;`` become ``;``; string literals become ``S``;
numbers their float value (``2`` = ``2.0``). Keywords, builtins, attribute names,
keyword-argument names, imported names and the usual module aliases are kept; every other
identifier becomes ``V``. IPython magics are ignored; a cell that does not tokenize falls back
to a regular-expression tokenizer over the same rules."""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

PLACEHOLDER = "V"


MODULE_ALIASES = frozenset(
    "np numpy torch nn F optim math random plt scipy sklearn pd tf keras jax jnp".split()
)


KEEP_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | MODULE_ALIASES


_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python >= 3.12 splits f-strings


_FSTRING_PARTS = {getattr(tokenize, n, -1) for n in ("FSTRING_MIDDLE", "FSTRING_END")} - {-1}


_CLOSERS = {")", "]", "}"}


@dataclass(frozen=True)
class Token:
    text: str
    line: int  # 1-based line of the cell's source


def _strip_magics(source: str) -> str:
    """IPython magics and shell escapes become blank lines (line numbers are kept)."""
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.split("\n"))


def _number(text: str) -> str:
    try:
        return repr(float(text.replace("_", "")))
    except ValueError:
        return text  # hex, complex...


class _Namer:
    """Decides which NAME tokens are kept; the others become the placeholder."""

    def __init__(self) -> None:
        self.brackets: list[str] = []  # "call" | "def" | "other"
        self.prev = ""  # previous emitted token (before mapping)
        self.prev2 = ""
        self.in_import = False

    def name(self, text: str, nxt: str) -> str:
        if self.in_import or text in KEEP_NAMES or self.prev == ".":
            return text
        if nxt == "=" and self.brackets and self.brackets[-1] == "call":
            return text  # keyword argument of a call: part of the API
        return PLACEHOLDER

    def op(self, text: str) -> None:
        if text in ("(", "[", "{"):
            if text == "(" and self.prev2 == "def":
                self.brackets.append("def")
            elif text == "(" and (self.prev.isidentifier() or self.prev in (")", "]")):
                self.brackets.append("call")
            else:
                self.brackets.append("other")
        elif text in _CLOSERS and self.brackets:
            self.brackets.pop()

    def seen(self, raw: str) -> None:
        if raw == ";":
            self.in_import = False
        elif raw in ("import", "from") and self.prev in ("", ";"):
            self.in_import = True
        self.prev2, self.prev = self.prev, raw


def _emit(out: list[Token], text: str, line: int) -> None:
    if text == ";" and (not out or out[-1].text in (";", ":")):
        return  # blank statement, or the newline after "if x:" (same as a one-liner)
    if text in _CLOSERS and out and out[-1].text == ",":
        out.pop()  # magic trailing comma (black)
    out.append(Token(text, line))


def _python_tokens(src: str) -> list[Token]:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.INDENT, tokenize.DEDENT}
    toks = [t for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type not in skip]
    toks = [t for t in toks if not (t.type == tokenize.ERRORTOKEN and not t.string.strip())]
    out: list[Token] = []
    namer = _Namer()
    i, stmt_start = 0, True
    while i < len(toks):
        t = toks[i]
        if stmt_start and t.type == tokenize.STRING:  # docstring / bare-string statement
            j = i
            while j < len(toks) and toks[j].type == tokenize.STRING:
                j += 1
            if j == len(toks) or toks[j].type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                i = j + 1
                continue
        stmt_start = t.type == tokenize.NEWLINE or t.string == ";"
        if t.type == tokenize.ENDMARKER or t.type in _FSTRING_PARTS:
            i += 1
            continue
        if t.type == tokenize.NEWLINE or t.string == ";":
            _emit(out, ";", t.start[0])
            namer.seen(";")
        elif t.type in (tokenize.STRING, _FSTRING_START):
            _emit(out, "S", t.start[0])
            namer.seen("S")
        elif t.type == tokenize.NUMBER:
            _emit(out, _number(t.string), t.start[0])
            namer.seen(t.string)
        elif t.type == tokenize.NAME:
            nxt = toks[i + 1].string if i + 1 < len(toks) else ""
            _emit(out, namer.name(t.string, nxt), t.start[0])
            namer.seen(t.string)
        else:
            namer.op(t.string)
            _emit(out, t.string, t.start[0])
            namer.seen(t.string)
        i += 1
    return out


_FALLBACK = re.compile(
    r"""(?P<doc>(?:[rRbBuUfF]{0,2})(?:\"\"\"[\s\S]*?(?:\"\"\"|$)|'''[\s\S]*?(?:'''|$)))"""
    r"""|(?P<str>[rRbBuUfF]{0,2}(?:"[^"\n]*"?|'[^'\n]*'?))"""
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<num>0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<nl>\n)"
    r"|(?P<op>\*\*=?|//=?|->|:=|[-+*/%@&|^<>=!]=|<<|>>|\S)"
)


def _fallback_tokens(src: str) -> list[Token]:
    """For cells `tokenize` rejects: regex tokens, same mapping; whitespace-insensitive."""
    out: list[Token] = []
    namer = _Namer()
    matches = [m for m in _FALLBACK.finditer(src) if m.lastgroup not in ("doc", "comment")]
    line, counted_to = 1, 0  # counted as we go: a 250k-character cell stays linear
    for i, m in enumerate(matches):
        kind, text = m.lastgroup, m.group()
        line += src.count("\n", counted_to, m.start())
        counted_to = m.start()
        if kind == "nl":
            nxt_is_closer = i + 1 < len(matches) and matches[i + 1].group() in _CLOSERS
            if namer.brackets or nxt_is_closer:
                continue  # inside brackets a newline is only layout
            _emit(out, ";", line)
            namer.seen(";")
        elif kind == "str":
            _emit(out, "S", line)
            namer.seen("S")
        elif kind == "num":
            _emit(out, _number(text), line)
            namer.seen(text)
        elif kind == "name":
            nxt = matches[i + 1].group() if i + 1 < len(matches) else ""
            _emit(out, namer.name(text, nxt), line)
            namer.seen(text)
        else:
            namer.op(text)
            _emit(out, ";" if text == ";" else text, line)
            namer.seen(text)
    while out and out[-1].text == ";":
        out.pop()
    return out


def normalize(source: str) -> list[Token]:
    """The normalised token stream of one cell (see the module docstring)."""
    src = _strip_magics(source)
    try:
        toks = _python_tokens(src)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _fallback_tokens(src)
    while toks and toks[-1].text == ";":
        toks.pop()
    return toks


def normalized_text(source: str) -> str:
    return " ".join(t.text for t in normalize(source))
