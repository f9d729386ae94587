"""render.terminal: student text printed by the CLI cannot drive the instructor's terminal."""

from __future__ import annotations

import pytest

from autograder.render.terminal import for_terminal

ATTACKS = {
    "cursor-up-and-erase": "\x1b[1A\x1b[2KNote: 20 / 20",
    "osc52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc-with-st": "\x1b]0;title\x1b\\",
    "c1-csi": "\x9b2J",
    "bell-and-backspace": "abc\x08\x08\x08\x07",
    "carriage-return-overwrite": "Note: 0 / 20\rNote: 20 / 20",
    "bidi-override": "grade\u202e02 / 0\u202c",
    "bidi-isolate": "\u2066x\u2069\u200f",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_no_control_escape_or_bidi_survives(name):
    out = for_terminal(ATTACKS[name])
    assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in out), repr(out)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in out), repr(out)
    assert not any(ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for ch in out)


def test_a_carriage_return_cannot_rewrite_the_line():
    out = for_terminal("Note: 0 / 20\rNote: 20 / 20")
    assert out.startswith("Note: 0 / 20") and "\r" not in out


def test_ordinary_french_text_is_kept():
    text = "cellule 3 (grad_f) : ValueError: « forme » attendue (2,)\n\tdétail → ok"
    assert for_terminal(text) == text


def test_non_text_is_printed_as_text():
    assert for_terminal(None) == "" and for_terminal(3.5) == "3.5"
