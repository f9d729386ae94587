"""Fingerprint one answer cell of growing size and print the time per size, so that the
similarity pass can be seen to stay near-linear on huge cells (a student's 250k-character
cell once took it quadratic). Both tokenizers are measured: Python's own (valid code) and
the regex fallback (code that does not tokenize).

    .venv/bin/python bench/bench_similarity.py [--sizes 50000 250000 1000000]

Prints figures only; the anchor is "time / size roughly constant" (ratio column).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.classroom.similarity.winnowing import fingerprints  # noqa: E402

LINE = "    v{i} = (f(x + {i} * h) - f(x - {i} * h)) / (2 * h)  # étape {i}\n"


def cell(chars: int, *, broken: bool) -> str:
    lines, i = ["def g(f, x, h=1e-5):\n"], 0
    while sum(map(len, lines)) < chars:
        lines.append(LINE.format(i=i))
        i += 1
    lines.append("    return (v1 + \n" if broken else "    return v1\n")
    return "".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50_000, 250_000, 1_000_000])
    args = ap.parse_args()
    print(f"{'tokenizer':10} {'chars':>10} {'seconds':>9} {'µs/char':>8}")
    for broken in (False, True):
        for size in args.sizes:
            src = cell(size, broken=broken)
            t0 = time.perf_counter()
            fingerprints(src)
            dt = time.perf_counter() - t0
            print(f"{'fallback' if broken else 'python':10} {len(src):>10} {dt:>9.3f} {dt / len(src) * 1e6:>8.2f}")


if __name__ == "__main__":
    main()
