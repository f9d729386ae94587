"""Hidden checks, part 5: diagnosing learning curves.

The grader synthesises clear-cut curves of each kind (random lengths, starting losses,
noise), far from the notebook's thresholds (2·L0, L0/2, +10 %), plus a healthy curve whose
training loss first rises between L0 and 2·L0 (rule 1's threshold is 2·L0, not L0), the
divergence that comes back down (a spike to many times L0, then a plateau: what Adam does with lr = 1)
and curves holding inf/nan. The reference applies the notebook's rules.

TRAPS are curves each shortcut of the rules misreads: a validation loss that rose then levelled
off ("the last value rises"), noise under 10 % at the end ("the minimum is not last"), curves
whose validation loss starts away from the training loss (L0 read from perte_val), a training
loss that dips under L0/2 and climbs back (rule 2 on the minimum), a validation loss that more
than doubles while the training loss is healthy (rule 1 on the validation loss). The exact
boundaries 2·L0, L0/2 and 1.1 × min are drawn where every written form of the rule rounds the
same way. Each threshold is also drawn just above and just below, by 0.2–0.8 % (far above
rounding, under the 1 % between 1.1 × min and min / 0.9, the margin taken of the final value):
a misplaced threshold reads one of each pair wrong, at every variant.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, StudentError, assert_arguments_untouched

from ..public.helpers import curve_label


def _reference(train: np.ndarray, val: np.ndarray) -> str:
    if not (np.all(np.isfinite(train)) and np.all(np.isfinite(val))):
        return "divergence"
    if train.max() > 2 * train[0]:
        return "divergence"
    if train[-1] > train[0] / 2:
        return "sous-apprentissage"
    if val[-1] > 1.1 * val.min():
        return "sur-apprentissage"
    return "sain"


def _noise(rng, n: int) -> np.ndarray:
    """Multiplicative noise of at most ±2 %, none on the first value."""
    a = float(rng.uniform(0.0, 0.02))
    out = 1.0 + a * rng.uniform(-1.0, 1.0, size=n)
    out[0] = 1.0
    return out


def _decay(L0: float, final_ratio: float, n: int) -> np.ndarray:
    t = np.arange(n)
    return L0 * np.exp(np.log(final_ratio) * t / (n - 1))


def _healthy(rng, n, L0):
    train = _decay(L0, rng.uniform(0.02, 0.2), n)
    val = train * rng.uniform(1.05, 1.3) + L0 * rng.uniform(0.01, 0.05)
    return train * _noise(rng, n), val * _noise(rng, n)


def _healthy_with_bump(rng, n, L0):
    """Healthy, but the training loss first rises to 1.2–1.8 × L0 for a few epochs (a noisy
    start): its maximum sits between L0 and the divergence threshold 2·L0."""
    train, val = _healthy(rng, n, L0)
    w = max(1, n // 10)
    train[1 : 1 + w] = L0 * rng.uniform(1.2, 1.8, size=w)
    return train, val


def _overfit(rng, n, L0):
    train = _decay(L0, rng.uniform(0.005, 0.1), n)
    tm = int(n * rng.uniform(0.2, 0.5))
    vmin = L0 * rng.uniform(0.15, 0.4)
    v0 = L0 * rng.uniform(1.0, 1.1)
    down = v0 * np.exp(np.log(vmin / v0) * np.arange(tm + 1) / tm)
    up = vmin * (1.0 + (rng.uniform(1.4, 2.5) - 1.0) * np.arange(1, n - tm) / (n - 1 - tm))
    return train * _noise(rng, n), np.concatenate([down, up]) * _noise(rng, n)


def _underfit(rng, n, L0):
    plateau = rng.uniform(0.7, 0.9)
    t = np.arange(n)
    train = L0 * (plateau + (1 - plateau) * np.exp(-t / (n * rng.uniform(0.1, 0.3))))
    val = train * rng.uniform(1.02, 1.1)
    return train * _noise(rng, n), val * _noise(rng, n)


def _underfit_val_rising(rng, n, L0):
    """Under-fitting whose validation loss also ends 25–50 % above its minimum: rules 2 and 3
    both hold, and rule 2 comes first (the rules are applied in the statement's order)."""
    train, val = _underfit(rng, n, L0)
    start = n // 2
    ramp = np.ones(n)
    ramp[start:] = np.linspace(1.0, rng.uniform(1.25, 1.5), n - start)
    return train, val * ramp


def _exploding(rng, n, L0):
    t0 = int(n * rng.uniform(0.1, 0.4))
    final = rng.uniform(10.0, 1000.0)
    train = np.concatenate(
        [
            _decay(L0, 0.8, t0 + 1),
            0.8 * L0 * np.exp(np.log(final / 0.8) * np.arange(1, n - t0) / (n - 1 - t0)),
        ]
    )
    return train * _noise(rng, n), train * rng.uniform(1.02, 1.2) * _noise(rng, n)


def _spike_then_plateau(rng, n, L0):
    """Explodes to many times L0, then dead units bring it back to a plateau just below L0."""
    t0 = int(n * rng.uniform(0.1, 0.3))
    width = max(2, int(n * 0.1))
    train = np.full(n, L0 * rng.uniform(0.85, 0.95))
    train[: t0 + 1] = _decay(L0, 0.7, t0 + 1)
    train[t0 + 1 : t0 + 1 + width] = L0 * rng.uniform(
        5.0, 50.0, size=len(train[t0 + 1 : t0 + 1 + width])
    )
    return train * _noise(rng, n), train * rng.uniform(1.02, 1.2) * _noise(rng, n)


MAKERS = {
    "sain": (_healthy, _healthy_with_bump),
    "sur-apprentissage": (_overfit,),
    "sous-apprentissage": (_underfit, _underfit_val_rising),
    "divergence": (_exploding, _spike_then_plateau),
}

_HINTS = {
    "divergence": (
        "règle 1 : une valeur non finie, ou une perte d'entraînement qui dépasse 2·L0 à un moment "
        "quelconque (pas seulement à la fin : une perte qui explose puis retombe a divergé)",
        "rule 1: a non-finite value, or a training loss above 2·L0 at any time (not only at the "
        "end: a loss that explodes then comes back down has diverged)",
    ),
    "sous-apprentissage": (
        "règle 2 : la perte d'entraînement finale reste au-dessus de L0/2, les deux pertes "
        "plafonnent en haut",
        "rule 2: the final training loss stays above L0/2, both losses plateau high",
    ),
    "sur-apprentissage": (
        "règle 3 : la perte de validation finale dépasse son minimum de plus de 10 % "
        "(finale > 1.1 × minimum) : elle a remonté",
        "rule 3: the final validation loss exceeds its minimum by more than 10 % "
        "(final > 1.1 × minimum): it went back up",
    ),
    "sain": (
        "aucune des trois premières règles ne s'applique",
        "none of the first three rules applies",
    ),
}


def _check(
    submission,
    train: np.ndarray,
    val: np.ndarray,
    expected: str,
    hint: tuple[str, str] | None = None,
) -> None:
    assert _reference(train, val) == expected, "synthetic curve off its class (check bug)"
    got = curve_label(submission.call("diagnostic_courbe", train, val))
    if got == expected:
        return
    if hint is None and _l0_from_val(submission, train, val, expected):
        # Only where no case-specific hint speaks (a threshold or an exact boundary can also
        # change with the training loss's scale).
        hint = _L0_FROM_VAL
    elif callable(hint):
        hint = hint(submission, train, val)
    hint_fr, hint_en = hint or _HINTS[expected]
    both = expected == "sous-apprentissage" and got == "sur-apprentissage" and val[-1] > 1.1 * np.min(val)
    if both:
        hint_fr = (
            "cette courbe remplit les règles 2 ET 3 (la perte d'entraînement finale reste au-dessus "
            "de L0/2, et la validation remonte) : appliquez les règles dans l'ordre du sujet, "
            "la règle 2 (sous-apprentissage) avant la règle 3"
        )
        hint_en = (
            "this curve meets rules 2 AND 3 (the final training loss stays above L0/2, and the "
            "validation loss goes back up): apply the rules in the statement's order, rule 2 "
            "(under-fitting) before rule 3"
        )
    elif {got, expected} == {"sous-apprentissage", "sur-apprentissage"}:
        hint_fr = f"vous avez inversé sous- et sur-apprentissage ; {hint_fr}"
        hint_en = f"you swapped under- and over-fitting; {hint_en}"
    elif (
        hint is None
        and got == "sur-apprentissage"
        and expected == "sain"
        and np.all(np.isfinite(val))
        and np.min(val) < val[-1] <= 1.1 * np.min(val)
    ):
        # Its premise, read on this curve: the final validation loss is within 10 % of its
        # minimum, so rule 3 does not apply whatever the last epochs do (a shortcut such as
        # "the last value rises" or "the minimum is not last" said overfitting on any curve,
        # not only on the traps drawn for it).
        hint_fr, hint_en = _NOISE
    # Strictly below 2·L0: a curve that reaches exactly 2·L0 gets its own hint (_STRICT). Only
    # said of a training loss that does rise above L0 (premise of "remonte au-dessus de L0").
    if (
        got == "divergence"
        and np.all(np.isfinite(train))
        and train[0] < np.max(train) < 2 * train[0]
    ):
        hint_fr = (
            "la perte d'entraînement remonte au-dessus de L0 mais reste sous 2·L0 : ce n'est pas "
            f"une divergence (règle 1 : max > 2·L0) ; {hint_fr}"
        )
        hint_en = (
            "the training loss rises above L0 but stays below 2·L0: that is no divergence (rule 1: "
            f"max > 2·L0); {hint_en}"
        )
    # Rule 1 reads the TRAINING loss only: a validation loss above 2·L0 is no divergence.
    if (
        got == "divergence"
        and np.all(np.isfinite(train))
        and np.all(np.isfinite(val))
        and np.max(train) <= 2 * train[0]
        and np.max(val) > 2 * train[0]
        and _right_with_val_capped(submission, train, val, expected)
    ):
        hint_fr = (
            "seule la perte de VALIDATION dépasse 2·L0 ici, et la réponse est juste quand elle "
            "reste dessous : la règle 1 ne compare à 2·L0 que la perte d'ENTRAÎNEMENT "
            "(perte_train.max() > 2·L0), pas la perte de validation"
        )
        hint_en = (
            "only the VALIDATION loss exceeds 2·L0 here, and the answer is right when it stays "
            "below: rule 1 compares only the TRAINING loss with 2·L0 (perte_train.max() > "
            "2·L0), not the validation loss"
        )
    if not (np.all(np.isfinite(train)) and np.all(np.isfinite(val))):
        where_fr, where_en = [], []
        for curve, fr, en in ((train, "perte_train", "perte_train"), (val, "perte_val", "perte_val")):
            kinds = [k for k, bad in (("inf", np.isinf(curve).any()), ("nan", np.isnan(curve).any())) if bad]
            if kinds:
                where_fr.append(f"{fr} contient {' et '.join(kinds)}")
                where_en.append(f"{en} holds {' and '.join(kinds)}")
        # "np.isnan does not see inf" only where it is observed: no nan on these curves, and the
        # answer is right once their inf are nan (a curve it never tests stays wrong either way).
        only_inf = not (np.isnan(train).any() or np.isnan(val).any()) and _sees_nan_not_inf(
            submission, train, val
        )
        hint_fr = (
            " ; ".join(where_fr)
            + (" (pas de nan : np.isnan ne voit pas inf)" if only_inf else "")
            + " ; règle 1 : une valeur non finie dans l'UNE des deux courbes, c'est une divergence ; "
            "toute comparaison avec nan vaut False et np.max d'un tableau avec nan vaut nan : "
            "testez np.isfinite d'abord, sur les deux courbes (il écarte inf ET nan)"
        )
        hint_en = (
            "; ".join(where_en)
            + (" (no nan: np.isnan does not see inf)" if only_inf else "")
            + "; rule 1: a non-finite value in EITHER curve is a divergence; any comparison with "
            "nan is False and np.max of an array with nan is nan: test np.isfinite first, on "
            "both curves (it rules out inf AND nan)"
        )
    raise CheckFailed(
        f"diagnostic_courbe renvoie « {got} » pour une courbe du correcteur, ce n'est pas le bon "
        f"diagnostic ; {hint_fr}",
        f'diagnostic_courbe returns "{got}" for one of the grader\'s curves, which is not the right '
        f"diagnosis; {hint_en}",
    )


def _sees_nan_not_inf(submission, train, val) -> bool:
    """Premise of "np.isnan ne voit pas inf": with every inf of both curves turned into nan, the
    answer says "divergence"."""
    as_nan = [np.where(np.isinf(c), np.nan, c) for c in (train, val)]
    try:
        return curve_label(submission.call("diagnostic_courbe", *as_nan)) == "divergence"
    except (CheckFailed, StudentError):
        return False


def _right_with_val_capped(submission, train, val, expected) -> bool:
    """Premise of the "rule 1 reads the training loss only" hint: with the validation loss
    capped under 2·L0 (its minimum and last value untouched), the answer is right."""
    capped = np.minimum(val, 1.9 * train[0])
    if capped[-1] != val[-1] or capped.min() != val.min() or _reference(train, capped) != expected:
        return False
    return curve_label(submission.call("diagnostic_courbe", train, capped)) == expected


def _overfit_levelled_off(rng, n, L0):
    """Overfitting: the validation loss falls, rises to 1.5–2.5 × its minimum, then levels off
    (its last values even decrease a little): the last epoch alone shows no rise."""
    train = _decay(L0, rng.uniform(0.005, 0.1), n)
    t1, t2 = int(n * rng.uniform(0.2, 0.3)), int(n * rng.uniform(0.55, 0.65))
    vmin, v0 = L0 * rng.uniform(0.15, 0.4), L0 * rng.uniform(1.0, 1.1)
    top = vmin * rng.uniform(1.5, 2.5)
    down = v0 * np.exp(np.log(vmin / v0) * np.arange(t1 + 1) / t1)
    up = vmin + (top - vmin) * np.arange(1, t2 - t1 + 1) / (t2 - t1)
    flat = top * np.linspace(1.0, rng.uniform(0.97, 0.99), n - t2)[1:]
    return train * _noise(rng, n), np.concatenate([down, up, flat])


def _healthy_noisy_end(rng, n, L0):
    """Healthy: the validation loss reaches its minimum at the last-but-one epoch, then the last
    epoch rises 3–7 % above it (noise, under the 10 % margin)."""
    train = _decay(L0, rng.uniform(0.02, 0.2), n)
    val = train * rng.uniform(1.05, 1.2)
    val[-1] = val[-2] * rng.uniform(1.03, 1.07)
    return train, val


def _underfit_val_starts_higher(rng, n, L0):
    """Under-fitting whose validation loss starts 1.6–1.9 × L0 (not at the training loss's
    first value) and decreases: L0 is perte_train[0]."""
    plateau = rng.uniform(0.55, 0.7)
    t = np.arange(n)
    train = L0 * (plateau + (1 - plateau) * np.exp(-t / (n * rng.uniform(0.1, 0.2))))
    v0 = L0 * rng.uniform(1.6, 1.9)
    val = train * rng.uniform(1.02, 1.08) + (v0 - train[0] * 1.05) * np.exp(-t / (n * 0.1))
    return train, np.minimum.accumulate(val)


def _healthy_val_below_train(rng, n, L0):
    """Healthy, the validation loss 0.4–0.55 × the training loss (as with dropout), and the
    training loss first rises to 1.2–1.6 × L0 for a few epochs: below 2·L0, L0 = perte_train[0]."""
    train = _decay(L0, rng.uniform(0.02, 0.2), n)
    w = max(1, n // 10)
    train[1 : 1 + w] = L0 * rng.uniform(1.2, 1.6, size=w)
    val = np.minimum.accumulate(train * rng.uniform(0.4, 0.55))
    return train, _flat_last_val(rng, val)


def _underfit_after_dip(rng, n, L0):
    """Under-fitting: the training loss falls to 0.3–0.4 × L0, then climbs back to 0.6–0.9 × L0
    (below 2·L0); the validation loss keeps decreasing slowly. The FINAL loss is above L0/2."""
    half = n // 2
    low, end = rng.uniform(0.3, 0.4), rng.uniform(0.6, 0.9)
    train = np.concatenate([_decay(L0, low, half + 1), L0 * np.linspace(low, end, n - half)[1:]])
    val = _decay(L0 * rng.uniform(1.05, 1.2), rng.uniform(0.5, 0.8), n)
    return train, val


def _overfit_val_doubles(rng, n, L0):
    """Overfitting: the training loss never rises, the validation loss halves, then climbs to
    2.3–3 × its first value: only rule 3 speaks (rule 1 reads the training loss)."""
    train = _decay(L0, rng.uniform(0.05, 0.2), n)
    tm = int(n * rng.uniform(0.2, 0.35))
    v0 = L0 * rng.uniform(0.9, 1.1)
    vmin, top = v0 * rng.uniform(0.5, 0.6), v0 * rng.uniform(2.3, 3.0)
    down = v0 * np.exp(np.log(vmin / v0) * np.arange(tm + 1) / tm)
    up = vmin + (top - vmin) * np.arange(1, n - tm) / (n - 1 - tm)
    return train, np.concatenate([down, up])


_LEVELLED = (
    "la perte de validation a remonté puis s'est stabilisée : elle finit bien au-dessus de son "
    "minimum, même si elle ne monte plus aux dernières époques ; règle 3 : la valeur finale "
    "comparée au MINIMUM de toute la courbe (finale > 1.1 × minimum), pas à la valeur précédente",
    "the validation loss went back up then levelled off: it ends well above its minimum, even "
    "though it no longer rises in the last epochs; rule 3: the final value against the MINIMUM "
    "of the whole curve (final > 1.1 × minimum), not against the previous value",
)
_NOISE = (
    "la perte de validation finale dépasse un peu son minimum (de moins de 10 %) : c'est du "
    "bruit, pas un sur-apprentissage ; règle 3 : finale > 1.1 × minimum, une marge de 10 % (ni "
    "« la dernière valeur remonte », ni « le minimum n'est pas à la dernière époque »)",
    "the final validation loss is a little above its minimum (by less than 10 %): that is noise, "
    "not overfitting; rule 3: final > 1.1 × minimum, a 10 % margin (neither \"the last value "
    "rises\" nor \"the minimum is not at the last epoch\")",
)
_L0_FROM_VAL = (
    "ici la perte de validation ne part pas de la même valeur que la perte d'entraînement, et "
    "votre réponse devient juste quand on les fait partir du même point : L0 est la première perte "
    "d'ENTRAÎNEMENT perte_train[0] (règles 1 et 2), pas perte_val[0]",
    "here the validation loss does not start where the training loss does, and your answer "
    "becomes right when they are made to start at the same point: L0 is the first TRAINING loss perte_train[0] "
    "(rules 1 and 2), not perte_val[0]",
)
_FINAL_NOT_MIN = (
    "la perte d'entraînement est passée sous L0/2, puis est remontée au-dessus : la règle 2 lit "
    "la perte d'entraînement FINALE perte_train[-1], pas son minimum",
    "the training loss went below L0/2, then climbed back above it: rule 2 reads the FINAL "
    "training loss perte_train[-1], not its minimum",
)
_VAL_GROWS = (
    "la perte d'entraînement ne remonte jamais au-dessus de L0 ici ; seule la perte de "
    "VALIDATION monte, beaucoup : la règle 1 ne regarde que la perte d'entraînement (et les "
    "valeurs non finies), une perte de validation qui remonte relève de la règle 3 "
    "(sur-apprentissage)",
    "the training loss never rises above L0 here; only the VALIDATION loss rises, a lot: rule 1 "
    "looks at the training loss only (and non-finite values), a validation loss that goes back up "
    "falls under rule 3 (overfitting)",
)


def _l0_from_val(submission, train, val, expected) -> bool:
    """Premise of _L0_FROM_VAL: the two curves start apart, and the same curves with the
    training loss rescaled to start at perte_val[0] (no rule's answer changes: rules 1–2 compare
    the training loss with its own first value, rule 3 reads the validation loss) get the right
    answer."""
    if not (np.all(np.isfinite(train)) and np.all(np.isfinite(val))) or train[0] <= 0 or val[0] <= 0:
        return False
    if np.isclose(val[0], train[0], rtol=1e-3):
        return False
    probe = train * (val[0] / train[0])
    return _reference(probe, val) == expected and curve_label(
        submission.call("diagnostic_courbe", probe, val)
    ) == expected


def _val_final_exactly_110pct(rng, n, L0):
    """Healthy: the final validation loss is exactly 1.1 × its minimum, which does not exceed it
    by MORE than 10 %, so rule 3 ("finale > 1,1 × minimum", strictly) does not apply. The
    minimum is drawn where every written form of the rule (v > 1.1·m, v/m > 1.1,
    v − m > 0.1·m, v > m + 0.1·m...) rounds to the same answer, as the exact 2·L0 and L0/2 of
    test_diagnostic_reads_first_and_last_epochs do."""
    train = _decay(L0, rng.uniform(0.05, 0.2), n)
    while True:
        m = float(L0 * rng.uniform(0.1, 0.3))
        v = 1.1 * m
        forms = (v > 1.1 * m, v / m > 1.1, v - m > 0.1 * m, v > m + 0.1 * m, (v - m) / m > 0.1,
                 10 * v > 11 * m, v > m * 1.1)
        if not any(forms):
            break
    val = train * rng.uniform(1.05, 1.2)
    val = val * (1.5 * m / val[-2])  # decreasing, to 1.5·m before the last two epochs
    val[-2], val[-1] = m, v
    return train, val


#: Curves each shortcut of the rules misreads, with the hint naming it.
TRAPS = (
    (_overfit_levelled_off, "sur-apprentissage", _LEVELLED),
    (_healthy_noisy_end, "sain", _NOISE),
    (_underfit_val_starts_higher, "sous-apprentissage", None),  # _check: _L0_FROM_VAL
    (_healthy_val_below_train, "sain", None),
    (_underfit_after_dip, "sous-apprentissage", _FINAL_NOT_MIN),
    (_overfit_val_doubles, "sur-apprentissage", _VAL_GROWS),
    # After _healthy_noisy_end: a shortcut that reads any rise as overfitting is named there.
    (_val_final_exactly_110pct, "sain", lambda submission, train, val: _val_strict_hint(submission, train, val)),
    # Just above and just below rule 3's threshold, at every variant: a margin measured against
    # the final value (final > min / 0.9 ≈ 1.111 × min) or another rounded factor reads these
    # two as one (blind round 19).
    (lambda rng, n, L0: _val_near_110pct(rng, n, L0, above=True), "sur-apprentissage",
     lambda submission, train, val: _val_just_above_hint(submission, train, val)),
    (lambda rng, n, L0: _val_near_110pct(rng, n, L0, above=False), "sain",
     lambda submission, train, val: _val_just_below_hint(submission, train, val)),
)


def _val_strict_hint(submission, train, val):
    """Premise of _VAL_STRICT (>= in place of >): the same curve with the final value at
    1.05 × minimum, inside the margin, is read as healthy."""
    probe = val.copy()
    probe[-1] = 1.05 * val.min()
    if curve_label(submission.call("diagnostic_courbe", train, probe)) == "sain":
        return _VAL_STRICT
    return _NOISE


def _near_step(rng) -> float:
    """How far past a threshold a boundary case sits, relatively: 0.2 to 0.8 %. Far above
    floating-point rounding (1e-16: every written form of a rule gives the same answer there)
    and below the gap to a misplaced threshold: final > minimum / 0.9 (the 10 % taken of the
    final value) is 1.01 % above 1.1 × minimum."""
    return float(rng.uniform(0.002, 0.008))


def _val_near_110pct(rng, n, L0, *, above: bool):
    """Healthy training loss; the validation loss falls to its minimum m around mid-run, then
    rises to end just above (overfitting) or just below (healthy) 1.1 × m, by 0.2–0.8 %. Its
    last three values form a plateau that decreases by under 0.1 % (the final value is the
    lowest of the three, all on the same side of 1.1 × m): the value before the last reads as
    the final one would."""
    train = _decay(L0, rng.uniform(0.02, 0.2), n)
    tm = int(n * rng.uniform(0.35, 0.6))
    m = float(L0 * rng.uniform(0.15, 0.4))
    v0 = L0 * rng.uniform(1.0, 1.1)
    d = _near_step(rng)
    final = 1.1 * m * (1 + d if above else 1 - d)
    down = v0 * np.exp(np.log(m / v0) * np.arange(tm + 1) / tm)
    down[-1] = m
    top = final * (1 + (0.0008 if above else 0.0004))  # below 1.1·m when final is below it
    up = m + (top - m) * np.arange(1, n - tm - 2) / (n - tm - 3)
    val = np.concatenate([down, up, [final * (1 + (0.0004 if above else 0.0002)), final]])
    assert len(val) == n and np.argmin(val) == tm
    return train, val


_VAL_JUST_ABOVE = (
    "la perte de validation finale dépasse son minimum d'un peu plus de 10 % : c'est un "
    "sur-apprentissage, et une remontée plus forte est bien vue ; c'est le seuil qui est mal "
    "placé : règle 3, finale > 1,1 × minimum, une marge de 10 % RELATIVE au minimum, sans "
    "arrondi ni autre facteur",
    "the final validation loss exceeds its minimum by a little more than 10 %: that is "
    "overfitting, and a larger rise is seen; the threshold is what is misplaced: rule 3, final "
    "> 1.1 × minimum, a 10 % margin RELATIVE to the minimum, with no rounding or other factor",
)
_VAL_OF_FINAL = (
    "la remontée est mesurée en proportion de la valeur FINALE, (finale − minimum) / finale > "
    "0,1, ce qui revient à finale > minimum / 0,9 (environ 1,111 × minimum, pas 1,1) : une "
    "perte finale qui dépasse son minimum d'un peu plus de 10 % passe sous ce seuil ; règle 3 : "
    "la marge de 10 % est prise sur le MINIMUM, (finale − minimum) / minimum > 0,1, soit "
    "finale > 1,1 × minimum",
    "the rise is measured as a fraction of the FINAL value, (final − minimum) / final > 0.1, "
    "which means final > minimum / 0.9 (about 1.111 × minimum, not 1.1): a final loss a little "
    "more than 10 % above its minimum falls under that threshold; rule 3: the 10 % margin is "
    "taken of the MINIMUM, (final − minimum) / minimum > 0.1, i.e. final > 1.1 × minimum",
)
_VAL_JUST_BELOW = (
    "la perte de validation finale dépasse son minimum d'un peu moins de 10 % : ce n'est pas "
    "encore un sur-apprentissage ; le seuil est trop bas : règle 3, finale > 1,1 × minimum, "
    "une marge de 10 % relative au minimum, sans arrondi ni autre facteur",
    "the final validation loss exceeds its minimum by a little less than 10 %: that is not "
    "overfitting yet; the threshold is too low: rule 3, final > 1.1 × minimum, a 10 % margin "
    "relative to the minimum, with no rounding or other factor",
)


def _with_final_val(submission, train, val, ratio: float) -> str:
    """The answer for the same curves, the final validation loss set to ratio × its minimum
    (the plateau before it lowered to stay above it)."""
    probe = val.copy()
    m = float(val.min())
    probe[-1] = ratio * m
    probe[-3:-1] = np.maximum(np.minimum(probe[-3:-1], ratio * m * 1.0004), m * 1.0001)
    return curve_label(submission.call("diagnostic_courbe", train, probe))


def _val_just_above_hint(submission, train, val):
    """A rise to 1.25 × minimum seen as overfitting: the threshold is misplaced. Read as
    overfitting just above minimum / 0.9 and as healthy just below it: the 10 % is taken of the
    final value (the premise of _VAL_OF_FINAL, on the student's answers)."""
    if _with_final_val(submission, train, val, 1.25) != "sur-apprentissage":
        return _final_val_hint(submission, train, val)
    if (_with_final_val(submission, train, val, 1.0005 / 0.9) == "sur-apprentissage"
            and _with_final_val(submission, train, val, 0.9995 / 0.9) == "sain"):
        return _VAL_OF_FINAL
    return _VAL_JUST_ABOVE


def _val_just_below_hint(submission, train, val):
    """A final validation loss 3 % above its minimum read as healthy: the shortcuts of _NOISE
    ("the last value rises", "the minimum is not last") would call it overfitting, so the
    threshold is what is too low."""
    if _with_final_val(submission, train, val, 1.03) == "sain":
        return _VAL_JUST_BELOW
    return _NOISE


@pytest.mark.item("diagnose_curve", points=1.0)
def test_diagnostic_synthetic_curves(submission, rng):
    cases = []
    for expected, makers in MAKERS.items():
        for i in range(2):
            maker = makers[i % len(makers)]
            n = int(rng.integers(15, 151))
            L0 = float(rng.uniform(0.5, 3.0))
            train, val = maker(rng, n, L0)
            cases.append((train, val, expected))
    for i in rng.permutation(len(cases)):
        _check(submission, *cases[i])
    for maker, expected, hint in TRAPS:
        train, val = maker(rng, int(rng.integers(20, 101)), float(rng.uniform(0.5, 3.0)))
        _check(submission, train, val, expected, hint)


@pytest.mark.item("diagnose_curve", points=0.5)
def test_diagnostic_non_finite_curves(submission, rng):
    n = int(rng.integers(20, 80))
    L0 = float(rng.uniform(0.5, 3.0))
    train, val = _healthy(rng, n, L0)
    cut = int(rng.integers(n // 2, n - 2))
    blown = train.copy()
    blown[cut:] = np.inf
    blown[cut + 1 :] = np.nan
    nan_val = val.copy()
    nan_val[cut:] = np.nan
    only_last = train.copy()
    only_last[-1] = np.nan
    inf_val = val.copy()
    inf_val[cut:] = np.inf  # np.isnan misses it; rule 3 would read inf > 1.1 × min
    cases = [
        (blown, np.where(np.isfinite(blown), val, np.nan)),  # inf then nan, as after an overflow
        (train, nan_val),  # the validation loss alone turned nan
        (only_last, val),  # the last training loss is nan
        (train, inf_val),  # the validation loss alone turned inf (no nan anywhere)
    ]
    for i in rng.permutation(len(cases)):
        _check(submission, *cases[i], "divergence")
    # The statement: "vos fonctions ne doivent pas modifier leurs arguments"; curves with nan
    # and inf are where a "cleaning" in place (courbe[np.isnan(courbe)] = …) shows.
    assert_arguments_untouched(
        submission, "diagnostic_courbe", (blown.copy(), nan_val.copy()), {0: "perte_train", 1: "perte_val"},
        hint_fr="ne remplacez pas les nan/inf dans les tableaux reçus : testez np.isfinite "
        "sans rien écrire (ou travaillez sur une copie)",
        hint_en="do not replace nan/inf in the arrays you are given: test np.isfinite "
        "without writing anything (or work on a copy)",
    )


def _first_epoch_drop(rng, n):
    """Healthy: the first epoch alone divides the loss by 3 to 5 (L0 = train[0], not train[1])."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = np.concatenate([[L0], _decay(L0 * rng.uniform(0.2, 0.33), rng.uniform(0.3, 0.6), n - 1)])
    val = train * rng.uniform(1.05, 1.2)
    val[0] = L0 * rng.uniform(1.0, 1.1)
    return train, _flat_last_val(rng, val)


def _flat_last_val(rng, val):
    """The last validation loss within 3 % of the one before: no rule reads val[-2] as final."""
    val[-1] = val[-2] * rng.uniform(0.97, 1.0)
    return val


def _halved_at_last_epoch(rng, n):
    """Healthy: the training loss falls to 0.55–0.6 × L0, then under L0/2 at the last epoch only."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = np.append(_decay(L0, rng.uniform(0.55, 0.6), n - 1), L0 * rng.uniform(0.4, 0.47))
    return train, _flat_last_val(rng, train * rng.uniform(1.05, 1.2))


def _val_up_at_last_epoch(rng, n):
    """Overfitting seen at the last epoch only: the validation loss jumps 20–50 % above its minimum."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = _decay(L0, rng.uniform(0.02, 0.2), n)
    val = train * rng.uniform(1.05, 1.2)
    val[-1] = val[-2] * rng.uniform(1.2, 1.5)  # val[-2] is the minimum: the curve decreases
    return train, val


def _val_up_small_minimum(rng, n):
    """Overfitting at the last epoch, on a small scale: the minimum is under 0.1 and the last
    validation loss 20–50 % above it, less than 0.1 in absolute terms (rule 3 is relative)."""
    L0 = float(rng.uniform(0.3, 0.6))
    train = _decay(L0, rng.uniform(0.05, 0.15), n)
    val = train * rng.uniform(1.05, 1.2)
    val[-1] = val[-2] * rng.uniform(1.2, 1.5)
    return train, val


def _modest_divergence(rng, n, small: bool):
    """A spike to 2.3–2.8 × L0 that comes back down, L0 in [0.2, 0.4] or [3.5, 5]: 2^L0 × L0^-1
    exceeds 2.8 there, so a power 2**L0 in place of 2 * L0 misses it."""
    L0 = float(rng.uniform(0.2, 0.4) if small else rng.uniform(3.5, 5.0))
    train = _decay(L0, rng.uniform(0.05, 0.2), n)
    t0 = int(rng.integers(2, n - 2))
    train[t0] = L0 * rng.uniform(2.3, 2.8)
    return train, train * rng.uniform(1.05, 1.2)


def _bump_to_exactly_twice(rng, n):
    """Healthy: one epoch reaches exactly 2·L0 (2·x is exact in floating point), never above."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = _decay(L0, rng.uniform(0.05, 0.2), n)
    train[int(rng.integers(1, n // 2))] = 2 * L0
    return train, _flat_last_val(rng, train * rng.uniform(1.05, 1.2))


def _final_exactly_half(rng, n):
    """Healthy: the final training loss is exactly L0/2 (x/2 is exact in floating point): it
    has been divided by two, so rule 2 ("supérieure à L0/2", strictly) does not apply."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = _decay(L0, rng.uniform(0.02, 0.2), n)
    train = np.maximum(train, 0.6 * L0)  # above L0/2 until the last epoch
    train[-1] = L0 / 2
    return train, _flat_last_val(rng, train * rng.uniform(1.05, 1.2))


def _spike_near_twice(rng, n, *, above: bool):
    """Healthy decay, but one early epoch of the training loss reaches 2·L0 × (1 ± 0.2–0.8 %):
    just above rule 1's threshold (a divergence) or just below it (healthy)."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = _decay(L0, rng.uniform(0.05, 0.2), n)
    d = _near_step(rng)
    train[int(rng.integers(1, n // 2))] = 2 * L0 * (1 + d if above else 1 - d)
    return train, _flat_last_val(rng, train * rng.uniform(1.05, 1.2))


def _final_near_half(rng, n, *, above: bool):
    """The training loss stays above 0.6·L0, then its final value is L0/2 × (1 ± 0.2–0.8 %):
    just above rule 2's threshold (under-fitting: not divided by two) or just below it
    (healthy). The validation loss follows it, flat at the end (rule 3 never speaks)."""
    L0 = float(rng.uniform(0.5, 3.0))
    train = np.maximum(_decay(L0, rng.uniform(0.02, 0.2), n), 0.6 * L0)
    d = _near_step(rng)
    train[-1] = L0 / 2 * (1 + d if above else 1 - d)
    val = train * rng.uniform(1.05, 1.2)
    val[-1] = val[-2] * 0.85  # the last value is the validation minimum
    return train, val


_TWICE_JUST_ABOVE = (
    "la perte d'entraînement dépasse 2·L0 de moins de 1 % à une époque : c'est déjà une "
    "divergence (une pointe plus haute est bien vue) ; le seuil est mal placé : règle 1, "
    "perte_train.max() > 2 × L0 exactement, sans marge, arrondi ni autre facteur",
    "the training loss exceeds 2·L0 by less than 1 % at one epoch: that is already a "
    "divergence (a higher spike is seen); the threshold is misplaced: rule 1, perte_train.max() "
    "> 2 × L0 exactly, with no margin, rounding or other factor",
)
_TWICE_JUST_BELOW = (
    "la perte d'entraînement monte juste sous 2·L0, sans le dépasser : ce n'est pas une "
    "divergence ; le seuil est trop bas : règle 1, perte_train.max() > 2 × L0 exactement, sans "
    "marge, arrondi ni autre facteur",
    "the training loss rises to just under 2·L0, without exceeding it: that is no divergence; "
    "the threshold is too low: rule 1, perte_train.max() > 2 × L0 exactly, with no margin, "
    "rounding or other factor",
)
_HALF_JUST_ABOVE = (
    "la perte d'entraînement finale est juste au-dessus de L0/2 (de moins de 1 %) : elle n'a pas "
    "tout à fait été divisée par deux, c'est un sous-apprentissage ; règle 2, perte_train[-1] > "
    "L0 / 2 exactement, sans marge, arrondi ni autre facteur",
    "the final training loss is just above L0/2 (by less than 1 %): it has not quite been "
    "halved, that is under-fitting; rule 2, perte_train[-1] > L0 / 2 exactly, with no margin, "
    "rounding or other factor",
)
_HALF_JUST_BELOW = (
    "la perte d'entraînement finale est juste sous L0/2 (de moins de 1 %) : elle a été divisée "
    "par deux, ce n'est pas un sous-apprentissage ; règle 2, perte_train[-1] > L0 / 2 "
    "exactement, sans marge, arrondi ni autre facteur",
    "the final training loss is just under L0/2 (by less than 1 %): it has been halved, that "
    "is no under-fitting; rule 2, perte_train[-1] > L0 / 2 exactly, with no margin, rounding "
    "or other factor",
)


def _twice_near_hint(submission, train, val):
    """The same spike raised to 2.5·L0 is seen as a divergence: the threshold is misplaced
    (_TWICE_JUST_ABOVE). Missed too: the faults _twice_hint tells apart (a power, the end only)."""
    t = int(np.argmax(train))
    probe = train.copy()
    probe[t] = 2.5 * train[0]
    if curve_label(submission.call("diagnostic_courbe", probe, val)) == "divergence":
        return _TWICE_JUST_ABOVE
    return _twice_hint(submission, train, val)


_L0_FIRST = (
    "L0 est la perte d'entraînement INITIALE perte_train[0] (ici la première époque la divise "
    "par plus de deux : la courbe est saine)",
    "L0 is the INITIAL training loss perte_train[0] (here the first epoch divides it by more "
    "than two: the curve is healthy)",
)
_FINAL_TRAIN = (
    "la perte d'entraînement finale est perte_train[-1], la dernière valeur (ici elle passe "
    "sous L0/2 à la dernière époque seulement)",
    "the final training loss is perte_train[-1], the last value (here it drops below L0/2 at "
    "the last epoch only)",
)
_FINAL_VAL = (
    "la perte de validation finale est perte_val[-1], la dernière valeur (ici elle remonte à la "
    "dernière époque seulement) ; règle 3 : finale > 1.1 × minimum",
    "the final validation loss is perte_val[-1], the last value (here it goes back up at the "
    "last epoch only); rule 3: final > 1.1 × minimum",
)
_TWICE = (
    "le seuil de divergence est 2·L0, le double de la perte initiale (un produit, pas une "
    "puissance) ; la perte monte ici à moins de trois fois L0 puis retombe",
    "the divergence threshold is 2·L0, twice the initial loss (a product, not a power); here "
    "the loss rises to less than three times L0, then comes back down",
)
_VAL_RELATIVE = (
    "la dernière valeur perte_val[-1] est bien lue (une remontée plus forte est vue) ; c'est le "
    "seuil qui ne va pas : règle 3, finale > 1,1 × minimum, une marge de 10 % RELATIVE au "
    "minimum (pas minimum + 0,1, ni un autre facteur)",
    "the last value perte_val[-1] is read (a larger rise is seen); the threshold is what is "
    "wrong: rule 3, final > 1.1 × minimum, a margin of 10 % RELATIVE to the minimum (not "
    "minimum + 0.1, nor another factor)",
)
_ANY_TIME = (
    "le seuil 2·L0 est le bon (la même pointe à la dernière époque est vue), mais seule la fin "
    "est regardée : règle 1, la perte d'entraînement dépasse 2·L0 à un moment QUELCONQUE "
    "(perte_train.max() > 2·L0) ; une perte qui explose puis retombe a divergé",
    "the 2·L0 threshold is right (the same spike at the last epoch is seen), but only the end "
    "is looked at: rule 1, the training loss exceeds 2·L0 at ANY time (perte_train.max() > "
    "2·L0); a loss that explodes then comes back down has diverged",
)


def _final_val_hint(submission, train, val):
    """Premise of _FINAL_VAL (the final value is read elsewhere): a rise of the last value to
    three times the minimum, plus L0, is missed too. If it is seen, the last value is read and
    the 10 % threshold is what is wrong."""
    probe = val.copy()
    probe[-1] = 3.0 * val.min() + train[0]
    if curve_label(submission.call("diagnostic_courbe", train, probe)) == "sur-apprentissage":
        return _VAL_RELATIVE
    return _FINAL_VAL


def _twice_hint(submission, train, val):
    """Premise of _TWICE (the threshold is not 2·L0): the same spike moved to the last epoch is
    missed too. If it is seen there, the threshold is right and only the end is looked at."""
    t = int(np.argmax(train))
    probe_t, probe_v = train.copy(), val.copy()
    probe_t[-1], probe_v[-1] = train[t], val[t]
    if curve_label(submission.call("diagnostic_courbe", probe_t, probe_v)) == "divergence":
        return _ANY_TIME
    return _TWICE


_STRICT = (
    "la perte d'entraînement atteint exactement 2·L0 sans le dépasser : la règle 1 dit "
    "« dépasse » (>), ce n'est pas une divergence",
    "the training loss reaches exactly 2·L0 without exceeding it: rule 1 says \"above\" (>), "
    "this is no divergence",
)


_VAL_STRICT = (
    "la perte de validation finale vaut exactement 1,1 × son minimum : elle ne le dépasse pas "
    "de PLUS de 10 %, la règle 3 dit « finale > 1,1 × minimum » (>), ce n'est pas un "
    "sur-apprentissage",
    "the final validation loss is exactly 1.1 × its minimum: it does not exceed it by MORE "
    "than 10 %, rule 3 says \"final > 1.1 × minimum\" (>), this is no overfitting",
)


_HALF_STRICT = (
    "la perte d'entraînement finale vaut exactement L0/2 : elle a été divisée par deux, la "
    "règle 2 dit « supérieure à L0/2 » (>), ce n'est pas un sous-apprentissage",
    "the final training loss is exactly L0/2: it has been divided by two, rule 2 says "
    "\"above L0/2\" (>), this is no underfitting",
)


@pytest.mark.item("diagnose_curve", points=0.5)
def test_diagnostic_reads_first_and_last_epochs(submission, rng):
    n = [int(x) for x in rng.integers(15, 81, size=6)]
    cases = [
        (*_first_epoch_drop(rng, n[0]), "sain", _L0_FIRST),
        (*_halved_at_last_epoch(rng, n[1]), "sain", _FINAL_TRAIN),
        (*_val_up_at_last_epoch(rng, n[2]), "sur-apprentissage", _final_val_hint),
        (*_val_up_small_minimum(rng, n[1]), "sur-apprentissage", _final_val_hint),
        (*_modest_divergence(rng, n[3], small=True), "divergence", _twice_hint),
        (*_modest_divergence(rng, n[4], small=False), "divergence", _twice_hint),
        (*_bump_to_exactly_twice(rng, n[5]), "sain", _STRICT),
        (*_final_exactly_half(rng, n[0]), "sain", _HALF_STRICT),
        # Just above and just below 2·L0 and L0/2 (0.2–0.8 %), at every variant: a threshold
        # written with another factor or a rounding reads one of each pair wrong.
        (*_spike_near_twice(rng, n[2], above=True), "divergence", _twice_near_hint),
        (*_spike_near_twice(rng, n[4], above=False), "sain", _TWICE_JUST_BELOW),
        (*_final_near_half(rng, n[3], above=True), "sous-apprentissage", _HALF_JUST_ABOVE),
        (*_final_near_half(rng, n[5], above=False), "sain", _HALF_JUST_BELOW),
    ]
    # In this order, not shuffled: the bump to exactly 2·L0 also trips L0 = train[1] and, for
    # L0 near 2, 2 ** L0; the cases before it name those faults first.
    for case in cases:
        _check(submission, *case)
    # The statement: "vos fonctions ne doivent pas modifier leurs arguments", on finite curves
    # whose validation loss is not sorted (a perte_val.sort() to find the minimum shows here).
    train, val = _overfit(rng, int(rng.integers(20, 60)), float(rng.uniform(0.5, 3.0)))
    assert_arguments_untouched(
        submission, "diagnostic_courbe", (train, val), {0: "perte_train", 1: "perte_val"},
        hint_fr="ne triez pas et ne réécrivez pas les tableaux reçus (perte_val.sort() trie le "
        "tableau de l'appelant) : np.min(perte_val), np.sort(perte_val) ou sorted(...) lisent "
        "sans modifier",
        hint_en="do not sort or rewrite the arrays you are given (perte_val.sort() sorts the "
        "caller's array): np.min(perte_val), np.sort(perte_val) or sorted(...) read without "
        "modifying",
    )
