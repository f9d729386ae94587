"""Vérifications publiques du TP02 : formes, comportement de base, exemples du cours.

These checks are shipped to students: every expected value here is in the course
(ET/OU/XOR, 203 530 and 207 937 parameters, Adam's first step of ±lr) or a small fixed
example they can redo by hand. The hidden checks test the same items on grader-chosen
inputs (random data, random widths, random seeds, several Adam steps, synthetic curves).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    RETURNS_MODULE,
    CheckFailed,
    as_array,
    as_bool,
    as_int,
    as_module,
    assert_close,
    assert_equal_int,
    assert_param_count,
    assert_signature_defaults,
    digits,
    module_outputs,
    module_param_breakdown,
    with_references,
)

from .helpers import MLP_REFERENCE, bounded_after_last_linear, clamped_at_zero, curve_label

# The course's policy, in every TP: a default the notebook relies on (a call that leaves the
# argument out: entrainer_sgd(X_train, y_train), adam_step(..., lr=0.01, t=t)) is part of the
# answer; where every call passes the argument (entrainer_xor(seed=...)), another default is an
# EQUIVALENT mutant.
STATEMENT_DEFAULTS: dict[str, dict[str, float | int]] = {
    "adam_step": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "entrainer_sgd": {"hidden": 64, "lr": 0.1, "epochs": 30, "batch_size": 32, "seed": 0},
}

# ---------------------------------------------------------------- 1. XOR and the perceptron

_X2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_GATES = {
    "ET": np.array([0, 0, 0, 1]),
    "OU": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}


@pytest.mark.item("xor_perceptron", points=0.5)
def test_separe_parfaitement_course_examples(submission):
    cases = [
        ((1.0, 1.0), -1.5, "ET", True),
        ((1.0, 1.0), -0.5, "OU", True),
        ((1.0, 1.0), -0.5, "ET", False),  # (0, 1) and (1, 0) are classified 1
        ((1.0, 1.0), -0.5, "XOR", False),  # 3 points out of 4 only: (1, 1) is classified 1
    ]
    for w, b, gate, expected in cases:
        got = as_bool(
            submission.call("separe_parfaitement", np.array(w), b, _X2, _GATES[gate]),
            "separe_parfaitement",
        )
        if got != expected:
            scores = _X2 @ np.array(w) + b
            n_ok = int(((scores > 0).astype(int) == _GATES[gate]).sum())
            raise CheckFailed(
                f"separe_parfaitement(w=(1, 1), b={b}, X, y={gate}) renvoie {got}, {expected} "
                f"attendu : ce perceptron classe correctement {n_ok} points sur 4 (sorties "
                f"1[w·x + b > 0] = {(scores > 0).astype(int).tolist()}, étiquettes "
                f"{_GATES[gate].tolist()}) ; True seulement si TOUS les points sont bien classés",
                f"separe_parfaitement(w=(1, 1), b={b}, X, y={gate}) returns {got}, {expected} "
                f"expected: this perceptron classifies {n_ok} points out of 4 correctly (outputs "
                f"1[w·x + b > 0] = {(scores > 0).astype(int).tolist()}, labels "
                f"{_GATES[gate].tolist()}); True only if ALL the points are correctly classified",
            )


# ---------------------------------------------------------------- 2. an MLP for XOR


@pytest.mark.item("xor_mlp", points=0.5)
def test_entrainer_xor_returns_a_module(submission):
    value = submission.call("entrainer_xor", seed=0, timeout=60)
    model = as_module(submission, value, "entrainer_xor", expected=RETURNS_MODULE)
    points = np.vstack([_X2, [[0.5, 0.5], [2.0, -1.0], [-1.5, 3.0]]])
    try:
        out = module_outputs(model, points, "logits du modèle sur les 4 points de XOR et 3 autres", shape=(7, 2))
    except CheckFailed as exc:
        raise CheckFailed(
            f"{exc.message.fr} ; le modèle renvoie un logit par classe (0 et 1) : forme (N, 2)",
            f"{exc.message.en}; the model returns one logit per class (0 and 1): shape (N, 2)",
        ) from None
    # The statement: the model returns logits. Rows that are all probabilities (in [0, 1],
    # summing to 1) on 7 points come from a softmax in the model; trained logits never do.
    if np.all(np.isfinite(out)) and np.all((out >= 0) & (out <= 1)) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5):
        raise CheckFailed(
            "le modèle renvoyé par entrainer_xor donne des probabilités (chaque ligne dans [0, 1], "
            "de somme 1) : il se termine par une softmax ; il doit renvoyer des logits (sans "
            "nn.Softmax à la fin), cross_entropy applique la softmax elle-même",
            "the model returned by entrainer_xor gives probabilities (every row in [0, 1], "
            "summing to 1): it ends with a softmax; it must return logits (no nn.Softmax at the "
            "end), cross_entropy applies the softmax itself",
        )
    # Values all in [0, 1] on the same points and on points 50 times farther out: a sigmoid
    # (or another squashing) ends the model. Trained logits leave [0, 1] on the 4 points
    # already (cross_entropy pushes them apart by several units); they never stay in it far out.
    far = np.array([[50.0, 0.0], [0.0, 50.0], [50.0, 50.0], [-50.0, 25.0], [25.0, -50.0]])
    out_far = module_outputs(model, far, "logits du modèle sur 5 points loin du carré", shape=(5, 2))
    both = np.vstack([out, out_far])
    if np.all(np.isfinite(both)) and np.all((both >= 0) & (both <= 1)):
        raise CheckFailed(
            "le modèle renvoyé par entrainer_xor donne des valeurs toutes dans [0, 1], sur les "
            "4 points de XOR comme sur des points 50 fois plus loin : il se termine par une "
            "sigmoïde (nn.Sigmoid) ou une autre fonction écrasante ; il doit renvoyer des logits, "
            "la sortie de la dernière nn.Linear, sans activation après ; cross_entropy applique "
            "la softmax elle-même",
            "the model returned by entrainer_xor gives values all in [0, 1], on the 4 XOR points "
            "as on points 50 times farther out: it ends with a sigmoid (nn.Sigmoid) or another "
            "squashing function; it must return logits, the output of the last nn.Linear, with "
            "no activation after it; cross_entropy applies the softmax itself",
        )
    # Values all >= 0 with exact zeros: a ReLU after the last nn.Linear clamps the logits at 0
    # (two logits clamped to 0 tie, and argmax picks class 0). Trained logits are never exactly 0.
    if clamped_at_zero(both):
        raise CheckFailed(
            "le modèle renvoyé par entrainer_xor donne des valeurs toutes positives ou nulles, "
            "avec des zéros exacts : une ReLU (ou une autre activation) suit la dernière "
            "nn.Linear et écrase les logits négatifs à 0 ; pas d'activation après la dernière "
            "nn.Linear : les logits peuvent être négatifs, cross_entropy applique la softmax "
            "elle-même",
            "the model returned by entrainer_xor gives values all positive or zero, with exact "
            "zeros: a ReLU (or another activation) follows the last nn.Linear and clamps the "
            "negative logits to 0; no activation after the last nn.Linear: logits may be "
            "negative, cross_entropy applies the softmax itself",
        )
    # A tanh (or another function bounded by 1) applied to the last nn.Linear's output: values
    # stuck in [-1, 1], so softmax probabilities of at most e²/(1 + e²) ≈ 0.88 (blind round 21).
    # Read as a mechanism, the output against the last nn.Linear's: a correct model trained with
    # a squared error on one-hot targets keeps values near [0, 1] too, yet returns its logits.
    if bounded_after_last_linear(submission, model, np.vstack([points, far])):
        raise CheckFailed(
            "le modèle renvoyé par entrainer_xor applique une tanh (nn.Tanh, ou une autre fonction "
            "bornée) à la sortie de la dernière nn.Linear : ses valeurs restent dans [-1, 1], ce "
            "ne sont pas des logits, et la softmax de cross_entropy ne peut pas dépasser "
            "e²/(1 + e²) ≈ 0.88 ; pas d'activation après la dernière nn.Linear (la tanh va entre "
            "les deux couches), cross_entropy applique la softmax elle-même",
            "the model returned by entrainer_xor applies a tanh (nn.Tanh, or another bounded "
            "function) to the output of the last nn.Linear: its values stay in [-1, 1], they are "
            "not logits, and cross_entropy's softmax cannot exceed e²/(1 + e²) ≈ 0.88; no "
            "activation after the last nn.Linear (the tanh goes between the two layers), "
            "cross_entropy applies the softmax itself",
        )


# ---------------------------------------------------------------- 3. MLPDeuxCouches


@pytest.mark.item("mlp_module", points=0.5)
def test_mlp_deux_couches_784_256_10(submission):
    value = submission.call("MLPDeuxCouches", 784, 256, 10)
    model = as_module(submission, value, "MLPDeuxCouches(784, 256, 10)", expected=RETURNS_MODULE)
    # Counted as model.parameters() counts (the course's demo): fc1 reused in an nn.Sequential,
    # or aliased under another name, counts once; its state_dict() would list it twice.
    breakdown = module_param_breakdown(submission, model, "MLPDeuxCouches(784, 256, 10)")
    assert_param_count(
        sum(count for _, _, count in breakdown),
        203530,
        breakdown=breakdown,
        n_biases=256 + 10,
        name="nombre de paramètres de MLPDeuxCouches(784, 256, 10)",
        hint_fr="le cours en compte 784·256 + 256 + 256·10 + 10 = 203 530 (fc1 et fc2 avec leurs biais)",
        hint_en="the course counts 784·256 + 256 + 256·10 + 10 = 203,530 (fc1 and fc2 with their biases)",
    )
    module_outputs(model, np.zeros((3, 784)), "MLPDeuxCouches(784, 256, 10) sur 3 images", shape=(3, 10))


@pytest.mark.item("count_params", points=0.5)
def test_nombre_parametres_course_examples(submission):
    assert_equal_int(
        submission.call("nombre_parametres", [784, 256, 10]),
        203530,
        name="nombre_parametres([784, 256, 10])",
        hint_fr="Σ h_i × h_{i+1} + h_{i+1} : poids ET biais de chaque couche",
        hint_en="Σ h_i × h_{i+1} + h_{i+1}: weights AND biases of every layer",
    )
    assert_equal_int(
        submission.call("nombre_parametres", [576, 288, 144, 1]),
        207937,
        name="nombre_parametres([576, 288, 144, 1])",
        hint_fr="l'exemple du cours pour des images 24×24 : 207 937 paramètres ; bouclez sur toutes les couches",
        hint_en="the course's example for 24×24 images: 207,937 parameters; loop over every layer",
    )
    # The notebook's other example, 512×512 images: more than 2**31 - 1 parameters.
    big, want = [262144, 131072, 65536, 1], 42949935105
    name = "nombre_parametres([262144, 131072, 65536, 1])"
    value = as_int(submission.call("nombre_parametres", big), name)
    if value != want and (value - want) % 2**32 == 0:  # int32 arithmetic wraps modulo 2**32
        hint_fr = (
            "dépassement d'entier : le compte dépasse 2³¹ − 1, la limite d'un np.int32 ; calculez "
            "avec des int Python (sans dtype) ou np.int64"
        )
        hint_en = (
            "integer overflow: the count exceeds 2³¹ − 1, the limit of an np.int32; compute with "
            "Python ints (no dtype) or np.int64"
        )
    else:
        hint_fr = "l'exemple du cours pour des images 512×512 ; Σ h_i × h_{i+1} + h_{i+1}"
        hint_en = "the course's example for 512×512 images; Σ h_i × h_{i+1} + h_{i+1}"
    assert_equal_int(value, want, name=name, hint_fr=hint_fr, hint_en=hint_en)


# ---------------------------------------------------------------- 4. Adam


@pytest.mark.item("adam", points=0.5)
def test_adam_first_step(submission):
    params = {"w": np.array([1.0, -2.0, 0.5])}
    grads = {"w": np.array([0.5, -1.0, 2.0])}
    out = submission.call("adam_step", params, grads, None, 0.1, 1)
    if not isinstance(out, (tuple, list)) or len(out) != 2 or not isinstance(out[0], dict):
        raise CheckFailed(
            "adam_step doit renvoyer le couple (nouveaux_params, nouvel_etat), où nouveaux_params "
            "est un dictionnaire de mêmes clés que params",
            "adam_step must return the pair (new_params, new_state), where new_params is a "
            "dictionary with the same keys as params",
        )
    new_params = out[0]
    if "w" not in new_params:
        raise CheckFailed(
            'les nouveaux paramètres doivent garder les clés de params (ici "w")',
            'the new parameters must keep the keys of params (here "w")',
        )
    assert_close(
        new_params["w"],
        np.array([0.9, -1.9, 0.4]),
        name="adam_step, premier pas (w = (1, −2, 0.5), g = (0.5, −1, 2), lr = 0.1, t = 1)",
        rtol=1e-6,
        hint_fr="au premier pas, m̂ = g et v̂ = g² grâce à la correction du biais : chaque "
        "composante bouge de lr dans le sens opposé au gradient",
        hint_en="at the first step, m̂ = g and v̂ = g² thanks to the bias correction: every "
        "entry moves by lr against the gradient",
    )
    assert_signature_defaults(submission, "adam_step", STATEMENT_DEFAULTS["adam_step"])


# ---------------------------------------------------------------- 5. SGD training loop


@pytest.mark.item("sgd_digits", points=0.5)
def test_entrainer_sgd_returns_a_module(submission):
    X, y = digits()
    X, y = X[:200], y[:200]
    model = as_module(
        submission,
        with_references(
            submission, MLP_REFERENCE,
            "entrainer_sgd", X, y, hidden=16, lr=0.1, epochs=1, batch_size=32, seed=0, timeout=60,
        ),
        "entrainer_sgd",
        expected=RETURNS_MODULE,
    )
    module_outputs(model, X[:5], "logits du modèle entraîné pour 5 images (hidden=16)", shape=(5, 10))
    assert_signature_defaults(submission, "entrainer_sgd", STATEMENT_DEFAULTS["entrainer_sgd"])


# ---------------------------------------------------------------- 6. learning curves

_EPOCHS = np.arange(21)
_TRAIN_DOWN = 2.3 * 0.85**_EPOCHS  # 2.3 → 0.09
_CURVES = {
    "sain": (_TRAIN_DOWN, _TRAIN_DOWN + 0.1),
    "sur-apprentissage": (
        _TRAIN_DOWN,
        np.concatenate([2.4 * 0.7 ** np.arange(7), 0.28 + 0.08 * np.arange(1, 15)]),
    ),
    "sous-apprentissage": (1.8 + 0.5 * 0.8**_EPOCHS, 1.9 + 0.5 * 0.8**_EPOCHS),
    "divergence": (2.3 * 1.5**_EPOCHS, 2.4 * 1.5**_EPOCHS),
}
@pytest.mark.item("diagnose_curve", points=0.5)
def test_diagnostic_simple_curves(submission):
    for expected, (train, val) in _CURVES.items():
        got = curve_label(submission.call("diagnostic_courbe", train, val))
        if got != expected:
            raise CheckFailed(
                f"diagnostic_courbe renvoie « {got} » pour la courbe « {expected} » de l'exemple "
                f"public (entraînement {train[0]:.3g} → {train[-1]:.3g}, maximum {train.max():.3g} ; "
                f"validation {val[0]:.3g} → minimum {val.min():.3g} → {val[-1]:.3g}) ; appliquez "
                "les quatre règles dans l'ordre du sujet",
                f'diagnostic_courbe returns "{got}" for the public "{expected}" curve '
                f"(training {train[0]:.3g} → {train[-1]:.3g}, maximum {train.max():.3g}; "
                f"validation {val[0]:.3g} → minimum {val.min():.3g} → {val[-1]:.3g}); apply the "
                "four rules in the order given",
            )


# ---------------------------------------------------------------- 7. PCA

# Centred rows t_i·u + s_i·v with u = (1, 1, 0)/√2 and v = (0, 0, 1), shifted by (5, 5, 5):
# the first principal component is ±t, the second ±s (t ⟂ s, |t|² = 20 > |s|² = 4).
_T = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
_S = np.array([1.0, -1.0, 0.0, -1.0, 1.0])
_H = 5.0 + np.outer(_T, np.array([1.0, 1.0, 0.0]) / np.sqrt(2.0)) + np.outer(_S, [0.0, 0.0, 1.0])


@pytest.mark.item("pca", points=0.5)
def test_projection_acp_small_example(submission):
    got = as_array(
        submission.call("projection_acp", _H),
        "projection_acp(H) pour H de forme (5, 3)",
        shape=(5, 2),
    )
    expected = np.column_stack([_T, _S])
    signs = np.where(np.sum(got * expected, axis=0) < 0, -1.0, 1.0)
    # A projection computed in float32 (H cast, centred, SVD) is off by ~1e-6 on these O(1)
    # values (H ≈ 5 cancels its offset); a wrong projection (no centring, other components,
    # unscaled U) by O(1): 1e-4 sits far from both.
    centred = bool(np.all(np.abs(got.mean(axis=0)) <= 1e-4 * (1.0 + np.abs(got).max())))
    if centred:
        hint_fr = (
            "les lignes de H sont (5, 5, 5) + t·(1, 1, 0)/√2 + s·(0, 0, 1) avec "
            "t = (−3, −1, 0, 1, 3) et s = (1, −1, 0, −1, 1) : projetez H centrée sur les deux "
            "premières lignes de Vt, dans l'ordre des valeurs singulières décroissantes, sans "
            "normaliser (Hc @ Vt[:2].T)"
        )
        hint_en = (
            "the rows of H are (5, 5, 5) + t·(1, 1, 0)/√2 + s·(0, 0, 1) with "
            "t = (−3, −1, 0, 1, 3) and s = (1, −1, 0, −1, 1): project the centred H on the "
            "first two rows of Vt, in decreasing order of the singular values, unnormalised "
            "(Hc @ Vt[:2].T)"
        )
    else:  # a projection of centred rows has columns of mean 0: this one does not
        hint_fr = (
            "les colonnes de votre projection ne sont pas de moyenne nulle : centrez H "
            "(Hc = H − H.mean(axis=0)) avant la SVD et projetez Hc, pas H"
        )
        hint_en = (
            "the columns of your projection do not have mean 0: centre H "
            "(Hc = H − H.mean(axis=0)) before the SVD and project Hc, not H"
        )
    assert_close(
        got * signs,
        expected,
        name="projection_acp(H) (au signe près de chaque colonne)",
        rtol=1e-4,
        atol=1e-4,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )
