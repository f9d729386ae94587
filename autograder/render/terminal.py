"""Text for a person's terminal: nothing from a submission may drive the terminal.

A grade_id, a check message, a commit message or a student's error can carry escape
sequences (cursor moves that overwrite "Note: 0 / 20", OSC 52 that writes the clipboard)
or bidi overrides that show text in another order than it is. Every line the CLI prints
goes through `for_terminal`; files keep their own escaping (renderers).
"""

from __future__ import annotations

import re

from autograder.render.strings import clean

# Bidi embeddings, overrides and isolates, and the marks that steer them.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Whatever `clean` leaves that a terminal still acts on: every C0 control but tab and
# newline, DEL, and the C1 range (a VT220 reads U+009B as CSI).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def for_terminal(text: object) -> str:
    """`text` with escape sequences, control and bidi characters removed."""
    return _BIDI.sub("", _CONTROLS.sub("", clean(text)))
