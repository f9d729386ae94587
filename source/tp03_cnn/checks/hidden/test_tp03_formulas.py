"""Hidden checks, part 1: the formulas (output size, parameter counts) on grader-chosen sizes.

The references come from PyTorch itself: the output shapes `nn.Conv2d` produces and the
parameters it holds. Messages give what was expected for the random configuration, never
a fixed answer.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from autograder.checks import (
    CheckFailed,
    Partial,
    as_int,
    assert_param_count,
    mlp_param_count,
    record_expected,
)

# ---------------------------------------------------------------- output size


def _output_size_configs(rng) -> list[tuple[int, int, int, int, int, int]]:
    """(H, W, ky, kx, p, s): random, plus cases where the floor matters.

    Guaranteed among them: a stride whose division leaves a remainder ≥ s/2 (round and
    floor differ), and a padding p > 0 with a stride s > 1.
    """
    configs = []
    while len(configs) < 8:
        H, W = (int(v) for v in rng.integers(5, 41, size=2))
        ky, kx = (int(v) for v in rng.integers(1, 8, size=2))
        p, s = int(rng.integers(0, 4)), int(rng.integers(1, 5))
        if H + 2 * p >= ky and W + 2 * p >= kx:
            configs.append((H, W, ky, kx, p, s))
    while len(configs) < 10:  # remainder > s/2 along W: round() gives one more
        W, kx, p, s = int(rng.integers(10, 41)), int(rng.integers(2, 6)), int(rng.integers(1, 3)), 3
        if (W - kx + 2 * p) % s == 2:
            configs.append((int(rng.integers(8, 30)), W, 3, kx, p, s))
    while len(configs) < 12:  # remainder exactly s/2 with s = 2 and an odd quotient
        H, ky, p = int(rng.integers(10, 41)), int(rng.integers(2, 6)), int(rng.integers(1, 3))
        if (H - ky + 2 * p) % 4 == 3:
            configs.append((H, int(rng.integers(8, 30)), ky, 3, p, 2))
    order = rng.permutation(len(configs))
    return [configs[i] for i in order]


def _torch_shape(H: int, W: int, ky: int, kx: int, p: int, s: int) -> tuple[int, int]:
    layer = nn.Conv2d(1, 1, kernel_size=(ky, kx), stride=s, padding=p)
    with torch.no_grad():
        out = layer(torch.zeros(1, 1, H, W))
    return int(out.shape[-2]), int(out.shape[-1])


_ROUNDING_FR = (
    "la division est entière, ⌊(W_in − k + 2p) / s⌋ (l'opérateur //), une fenêtre qui "
    "dépasserait du bord n'est pas calculée"
)
_ROUNDING_EN = (
    "the division is an integer one, ⌊(W_in − k + 2p) / s⌋ (the // operator), a window that "
    "would go past the border is not computed"
)
# Classic wrong formulas, each with its hint. A hint is given only when its formula explains
# EVERY answer the student gave (one configuration can fit several of them: a missing + 1
# and a padding counted once agree whenever p = s).
_SIZE_MISTAKES = (
    (lambda w, k, p, s: round((w - k + 2 * p) / s) + 1,
     f"c'est un arrondi au plus proche : {_ROUNDING_FR}", f"that is rounding to the nearest: {_ROUNDING_EN}"),
    (lambda w, k, p, s: math.ceil((w - k + 2 * p) / s) + 1,
     f"c'est un arrondi supérieur : {_ROUNDING_FR}", f"that is rounding up: {_ROUNDING_EN}"),
    (lambda w, k, p, s: (w - k + 2 * p) // s,
     "il manque le + 1 (la première position de la fenêtre)",
     "the + 1 is missing (the first window position)"),
    (lambda w, k, p, s: (w - k + p) // s + 1,
     "le padding compte deux fois, une fois de chaque côté : + 2p",
     "the padding counts twice, once on each side: + 2p"),
)


def _size_hint(answers: list[tuple[int, int, int, int, int]]) -> tuple[str, str]:
    """The hint of the classic mistake that explains all (w_in, k, p, s, got) answers."""
    for formula, fr, en in _SIZE_MISTAKES:
        if all(got == formula(w, k, p, s) for w, k, p, s, got in answers):
            return fr, en
    return "W_out = ⌊(W_in − k + 2p) / s⌋ + 1", "W_out = ⌊(W_in − k + 2p) / s⌋ + 1"


@pytest.mark.item("output_size", points=1.5)
def test_taille_sortie_matches_conv2d_shapes(submission, rng):
    answers: list[tuple[int, int, int, int, int]] = []
    first_wrong = None
    for H, W, ky, kx, p, s in _output_size_configs(rng):
        expected = _torch_shape(H, W, ky, kx, p, s)
        for axis, w_in, k, want in (("H", H, ky, expected[0]), ("W", W, kx, expected[1])):
            call = "taille_sortie(w_in, k, p, s) pour une configuration du correcteur"
            raw = submission.call("taille_sortie", w_in, k, p=p, s=s)
            if isinstance(raw, float) and not float(raw).is_integer():
                raise CheckFailed(
                    f"{call} renvoie {raw:g}, un nombre non entier : la division est entière, "
                    "⌊(W_in − k + 2p) / s⌋ (l'opérateur //)",
                    f"{call} returns {raw:g}, not an integer: the division is an integer one, "
                    "⌊(W_in − k + 2p) / s⌋ (the // operator)",
                )
            got = as_int(raw, call)
            record_expected(f"taille_sortie({w_in}, {k}, p={p}, s={s})", want)
            answers.append((w_in, k, p, s, got))
            if got != want and first_wrong is None:
                first_wrong = (call, got, axis, H, W, ky, kx)
    if first_wrong is None:
        # Called as the notebook calls it for a plain convolution: the signature's defaults.
        # A configuration valid without padding (k <= w_in: nn.Conv2d refuses a kernel wider
        # than its unpadded input, so some draws have none among the padded configurations).
        w_in, k = next(((a[0], a[1]) for a in answers if a[1] <= a[0]), (answers[0][1] + 3, answers[0][1]))
        call = "taille_sortie(w_in, k) appelée sans p ni s pour une configuration du correcteur"
        want = _torch_shape(w_in, w_in, k, k, 0, 1)[0]
        record_expected(call, want)
        got = as_int(submission.call("taille_sortie", w_in, k), call)
        if got != want:
            # The student's value is not shown (blind round 18's proof, variant 20): with a
            # default p=1 it is the expected size of the same (w_in, k) with p=1, which may be
            # one of the configurations above.
            raise Partial(
                0.5,
                f"{call} : résultat faux ; avec p et s passés la formule est juste, "
                "vérifiez les valeurs par défaut de la signature, def taille_sortie(w_in, k, p=0, s=1)",
                "taille_sortie(w_in, k) called without p or s for a grader configuration: wrong "
                "result; with p and s passed the formula is right, check "
                "the signature's default values, def taille_sortie(w_in, k, p=0, s=1)",
            )
    if first_wrong is not None:
        call, got, axis, H, W, ky, kx = first_wrong
        hint_fr, hint_en = _size_hint(answers)
        raise CheckFailed(
            f"{call} : ce n'est pas la taille {axis} de la sortie de nn.Conv2d ; {hint_fr}",
            f"taille_sortie(w_in, k, p, s) for a grader configuration: not the output size {axis} "
            f"of nn.Conv2d; {hint_en}",
        )


# ---------------------------------------------------------------- conv layer parameters


@pytest.mark.item("conv_params", points=1)
def test_nb_params_conv_matches_torch(submission, rng):
    configs = []
    while len(configs) < 6:
        kx, ky = (int(v) for v in rng.integers(1, 8, size=2))
        n_in, n_out = int(rng.integers(2, 65)), int(rng.integers(2, 129))
        if kx != ky or len(configs) % 2:  # mostly rectangular kernels: kx and ky both count
            configs.append((kx, ky, n_in, n_out))
    for kx, ky, n_in, n_out in configs:
        layer = nn.Conv2d(n_in, n_out, kernel_size=(ky, kx))
        expected = sum(p.numel() for p in layer.parameters())
        call = "nb_params_conv(kx, ky, I, F) pour une couche du correcteur"
        got = as_int(submission.call("nb_params_conv", kx, ky, n_in, n_out), call)
        if got == (kx * ky + 1) * n_out and got != expected:
            hint_fr = "il manque le nombre de plans d'entrée I : chaque filtre a kx × ky × I poids"
            hint_en = "the number of input planes I is missing: each filter has kx × ky × I weights"
        elif got == (kx * ky + 1) * n_in * n_out and got != expected:
            hint_fr = "un seul biais par filtre (pas un par plan d'entrée) : (kx × ky × I + 1) × F"
            hint_en = "one bias per filter (not one per input plane): (kx × ky × I + 1) × F"
        else:
            hint_fr = "P = (kx × ky × I + 1) × F, comme nn.Conv2d"
            hint_en = "P = (kx × ky × I + 1) × F, like nn.Conv2d"
        assert_param_count(
            got,
            expected,
            name=f"{call} (comparé à nn.Conv2d(I, F, kernel_size=(ky, kx)))",
            n_biases=n_out,
            hint_fr=hint_fr,
            hint_en=hint_en,
            show_got=False,
        )


# ---------------------------------------------------------------- MLP on an image


def _halved_grid_counts(h: int, w: int) -> set[int]:
    """The counts of s/2 and s/4 taken as grids of halved rows or columns (blind round 18)."""
    s = h * w
    halves = ((h // 2) * w, h * (w // 2))
    quarters = ((h // 2) * (w // 2), (h // 4) * w, h * (w // 4))
    return {mlp_param_count([s, a, b, 1]) for a in halves for b in quarters if a > 0 and b > 0}


@pytest.mark.item("mlp_params", points=1)
def test_nb_params_mlp_random_images(submission, rng):
    # Drawn on purpose (blind round 18): an odd h (w a multiple of 4) and an odd w (h a multiple
    # of 4), where s/2 and s/4 are not (h // 2)·w and (h // 2)·(w // 2): halving the rows (or
    # the columns) instead of the pixel count agrees with s // 2 whenever h (w) is even, which
    # two random sizes out of four may all be.
    sizes = [
        (int(rng.integers(2, 50)) * 2 + 1, int(rng.integers(1, 50)) * 4),
        (int(rng.integers(1, 50)) * 4, int(rng.integers(2, 50)) * 2 + 1),
    ]
    while len(sizes) < 5:
        h, w = (int(v) for v in rng.integers(4, 200, size=2))
        if (h * w) % 4 == 0 and h != w:
            sizes.append((h, w))
    sizes = [sizes[i] for i in rng.permutation(len(sizes))]
    for h, w in sizes:
        s = h * w
        widths = [s, s // 2, s // 4, 1]
        expected = mlp_param_count(widths)
        call = "nb_params_mlp_image(h, w) pour une taille d'image du correcteur"
        got = as_int(submission.call("nb_params_mlp_image", h, w), call)
        if got == s * (s // 2) + s // 2:
            hint_fr = "vous ne comptez que la première couche : il y en a trois, s → s/2 → s/4 → 1"
            hint_en = "you only count the first layer: there are three, s → s/2 → s/4 → 1"
        elif got == mlp_param_count([h, h // 2, h // 4, 1]):
            hint_fr = "s est le nombre de pixels h × w, pas la hauteur h"
            hint_en = "s is the number of pixels h × w, not the height h"
        elif got != expected and got in {mlp_param_count([a * a, a * a // 2, a * a // 4, 1]) for a in (h, w)}:
            # Blind round 20: s = h * h, the image taken for a square one.
            hint_fr = "l'image n'est pas forcément carrée : s = h × w pixels, pas h × h (ni w × w)"
            hint_en = "the image is not necessarily square: s = h × w pixels, not h × h (nor w × w)"
        elif got in _halved_grid_counts(h, w) and got != expected:
            hint_fr = (
                "s/2 et s/4 sont la moitié et le quart du NOMBRE DE PIXELS s = h × w (s // 2, s // 4), "
                "pas une grille de lignes ou de colonnes divisées par 2 ((h // 2) × w, "
                "(h // 2) × (w // 2)), qui perd des neurones quand h ou w est impair"
            )
            hint_en = (
                "s/2 and s/4 are half and a quarter of the NUMBER OF PIXELS s = h × w (s // 2, s // 4), "
                "not a grid of rows or columns divided by 2 ((h // 2) × w, (h // 2) × (w // 2)), "
                "which loses neurons when h or w is odd"
            )
        else:
            hint_fr = (
                "s = h × w pixels, couches s → s/2 → s/4 → 1 : n × m poids plus m biais par couche"
            )
            hint_en = (
                "s = h × w pixels, layers s → s/2 → s/4 → 1: n × m weights plus m biases per layer"
            )
        assert_param_count(
            got,
            expected,
            name=f"{call} (MLP s → s/2 → s/4 → 1)",
            n_biases=s // 2 + s // 4 + 1,
            hint_fr=hint_fr,
            hint_en=hint_en,
            show_got=False,
        )
