"""Kernel-side declarations for tests/checks/test_kernel_code.py (a module, as in a TP's
checks/public/helpers.py: inspect reads their source from here)."""

from __future__ import annotations

from autograder.checks import kernel_side


@kernel_side
class Doubler:
    def __init__(self, k: int) -> None:
        self.k = k

    def apply(self, x):
        import numpy as np

        return np.asarray(x, dtype=float) * 2 * self.k


@kernel_side(uses=(Doubler,))
def doubled(x, k=1):
    """Uses a kernel-side class by its plain name and numpy by its own import."""
    return Doubler(k).apply(x)


@kernel_side
def call_students(fn, x):
    """A student object arrives as an argument (a Ref), never as a global."""
    return fn(x) + 1


@kernel_side
def square(x: int) -> int:
    return x * x


def cached_square(x: int) -> int:  # declared by the test: its decorator is refused
    return x * x


def make_closure():
    y = 3

    def add_y(x):
        return x + y

    return add_y


@kernel_side
def reference_kl(x):
    """Stands for a student's `kl` in tests/checks/test_references.py."""
    return abs(x)


@kernel_side(uses=(Doubler,))
def kl(x):
    """Bound under its own name, bringing what it uses."""
    return Doubler(1).apply(x).item()
