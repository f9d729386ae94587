"""Vérifications publiques du TP04 : formes, comportement de base, petits exemples fixés.

These checks are shipped to students: every expected value here is a small example they
can redo by hand (KL of N(μ, 1) against N(0, 1) is μ²/2, BCE(0.5, ·) is log 2...) or a
behaviour stated in the notebook. The hidden checks test the same items on grader-chosen
inputs and measure the trained models themselves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Tensor,
    as_array,
    as_int,
    as_module,
    assert_close,
    kernel_side,
    with_references,
)

from .helpers import (
    assert_affine,
    assert_statement_defaults,
    dense_ae,
    digits_sample,
    extra_layers,
    kl_gaussienne,
    seed_torch,
    state,
    unchanged,
    unchanged_hint,
)


@kernel_side
def identity_model():
    import torch

    return torch.nn.Identity()


@kernel_side
def zero_model():
    import torch

    class _TP04Zero(torch.nn.Module):
        def forward(self, x):
            return torch.zeros_like(x)

    return _TP04Zero()


# ---------------------------------------------------------------- 1. dense autoencoder


@pytest.mark.item("ae_classe", points=0.5)
def test_ae_classe_shapes(submission, rng):
    assert_statement_defaults(submission, "AutoEncodeur")
    seed_torch(submission, 0)
    model = as_module(
        submission, submission.call("AutoEncodeur", 64, 3, 16), "AutoEncodeur(64, 3, 16)"
    )
    X = rng.uniform(0.0, 1.0, size=(5, 64)).astype(np.float32)
    for method, shown_fr, shown_en in (("forward", "AutoEncodeur(64, 3, 16)(x)", "x̂"),
                                       ("encode", "AutoEncodeur(64, 3, 16).encode(x)", "z")):
        if isinstance(model.call(method, Tensor(X)), (tuple, list)):
            raise CheckFailed(
                f"{shown_fr} renvoie un tuple (ou une liste) : il doit renvoyer un seul tenseur, "
                f"{shown_en} (le notebook et l'entraînement l'utilisent directement, "
                "F.mse_loss(modele(lot), lot))",
                f"{shown_fr} returns a tuple (or a list): it must return a single tensor, "
                f"{shown_en} (the notebook and the training use it directly, "
                "F.mse_loss(model(batch), batch))",
            )
    z = as_array(model.call("encode", Tensor(X)), "AutoEncodeur(64, 3, 16).encode(x)")
    if z.shape != (5, 3):
        raise CheckFailed(
            f"AutoEncodeur(d=64, k=3, h=16).encode(x) pour x de forme (5, 64) : forme attendue "
            f"(5, 3), obtenue {z.shape} ; l'encodeur finit par Linear(h, k)",
            f"AutoEncodeur(d=64, k=3, h=16).encode(x) for x of shape (5, 64): expected shape "
            f"(5, 3), got {z.shape}; the encoder ends with Linear(h, k)",
        )
    x_hat = as_array(model.call("forward", Tensor(X)), "AutoEncodeur(64, 3, 16)(x)", allow_nan=True)
    if x_hat.shape != (5, 64):
        raise CheckFailed(
            f"AutoEncodeur(64, 3, 16)(x) : forme attendue (5, 64), obtenue {x_hat.shape} ; "
            "forward(x) = decode(encode(x))",
            f"AutoEncodeur(64, 3, 16)(x): expected shape (5, 64), got {x_hat.shape}; "
            "forward(x) = decode(encode(x))",
        )
    if not np.all((x_hat >= 0.0) & (x_hat <= 1.0)):
        raise CheckFailed(
            "les reconstructions doivent être dans [0, 1] comme les pixels : terminez le "
            "décodeur par une Sigmoid",
            "reconstructions must lie in [0, 1] like the pixels: end the decoder with a Sigmoid",
        )
    # decode(z) is the decoder (the statement: "decode(z) renvoie x̂", the decoder ends with
    # the Sigmoid), so its images lie in [0, 1] too, for codes far from 0 as well; and
    # forward(x) is decode(encode(x)), nothing more (a Sigmoid in forward only keeps the line
    # above happy).
    Z = rng.normal(0.0, 10.0, size=(6, 3)).astype(np.float32)
    Z[0] = [40.0, -40.0, 40.0]
    decoded = as_array(model.call("decode", Tensor(Z)), "AutoEncodeur(64, 3, 16).decode(z)", allow_nan=True)
    if decoded.shape != (6, 64):
        raise CheckFailed(
            f"AutoEncodeur(64, 3, 16).decode(z) pour z de forme (6, 3) : forme attendue (6, 64), "
            f"obtenue {decoded.shape} ; le décodeur finit par Linear(h, d) puis Sigmoid",
            f"AutoEncodeur(64, 3, 16).decode(z) for z of shape (6, 3): expected shape (6, 64), "
            f"got {decoded.shape}; the decoder ends with Linear(h, d) then Sigmoid",
        )
    if not np.all((decoded >= 0.0) & (decoded <= 1.0)):
        raise CheckFailed(
            "AutoEncodeur(64, 3, 16).decode(z) renvoie des valeurs hors de [0, 1] : decode(z) "
            "renvoie x̂, une image ; la Sigmoid fait partie du décodeur (self.decodeur se termine "
            "par nn.Sigmoid()), pas seulement de forward",
            "AutoEncodeur(64, 3, 16).decode(z) returns values outside [0, 1]: decode(z) returns "
            "x̂, an image; the Sigmoid belongs to the decoder (self.decodeur ends with "
            "nn.Sigmoid()), not only to forward",
        )
    chained = as_array(model.call("decode", Tensor(z.astype(np.float32))),
                       "AutoEncodeur(64, 3, 16).decode(encode(x))", allow_nan=True)
    if chained.shape != x_hat.shape or not np.allclose(chained, x_hat, rtol=1e-4, atol=1e-5):
        raise CheckFailed(
            "AutoEncodeur(64, 3, 16)(x) diffère de decode(encode(x)) : forward(x) enchaîne "
            "encode puis decode, sans autre opération (la Sigmoid est la dernière couche du "
            "décodeur, pas une étape de forward)",
            "AutoEncodeur(64, 3, 16)(x) differs from decode(encode(x)): forward(x) chains encode "
            "then decode, with nothing else (the Sigmoid is the decoder's last layer, not a step "
            "of forward)",
        )


def _assert_trains(submission, rng, fn: str, model, kwargs: dict, label: str,
                   shape_tail: tuple[str, str], call: tuple[str, str], step: tuple[str, str]) -> None:
    """`fn(model, X, **kwargs)` (2 epochs on 200 digits) returns the model, trained: its
    parameters moved."""
    before = state(model, "modèle")
    X = digits_sample(rng, 200)
    out = submission.call(fn, model, X, **kwargs)
    trained = as_module(submission, out, label)
    x_hat = as_array(trained.call("forward", Tensor(X[:7])), "modèle entraîné (x)", allow_nan=True)
    if x_hat.shape != (7, 64):
        raise CheckFailed(
            f"le modèle renvoyé par {fn} donne une sortie de forme {x_hat.shape} pour "
            f"7 images : (7, 64) attendu{shape_tail[0]}",
            f"the model returned by {fn} gives an output of shape {x_hat.shape} for "
            f"7 images: (7, 64) expected{shape_tail[1]}",
        )
    if unchanged(before, state(trained, "modèle entraîné")):
        hint_fr, hint_en = unchanged_hint(submission, fn, model, X, kwargs, step)
        raise CheckFailed(f"après {call[0]}, {hint_fr}", f"after {call[1]}, {hint_en}")


@pytest.mark.item("ae_entrainement", points=0.5)
def test_entrainer_ae_trains(submission, rng):
    assert_statement_defaults(submission, "entrainer_ae")
    _assert_trains(
        submission, rng, "entrainer_ae", dense_ae(submission, 64, 4, 16, 0),
        {"epochs": 2, "lr": 1e-2, "batch_size": 64, "seed": 0}, "entrainer_ae(modele, X, …)",
        (" ; renvoyez le modèle reçu, entraîné", "; return the model you were given, trained"),
        ("entrainer_ae(modele, X, epochs=2)", "entrainer_ae(modele, X, epochs=2)"),
        ("après perte.backward() à chaque lot", "after loss.backward() on every batch"),
    )


# ---------------------------------------------------------------- 2. linear autoencoder


@pytest.mark.item("ae_lineaire", points=0.5)
def test_ae_lineaire_is_affine(submission, rng):
    assert_statement_defaults(submission, "AutoEncodeurLineaire")
    seed_torch(submission, 0)
    model = as_module(
        submission, submission.call("AutoEncodeurLineaire", 10, 3), "AutoEncodeurLineaire(10, 3)"
    )
    what = "AutoEncodeurLineaire(10, 3)"

    def forward(V):
        out = as_array(model.call("forward", Tensor(V)), f"{what}(x)")
        if out.shape != (8, 10):
            raise CheckFailed(
                f"{what}(x) pour x de forme (8, 10) : forme attendue (8, 10), obtenue {out.shape}",
                f"{what}(x) for x of shape (8, 10): expected shape (8, 10), got {out.shape}",
            )
        return out

    assert_affine(forward, 10, rng, what, (
        "l'encodeur et le décodeur sont deux nn.Linear enchaînés directement",
        "the encoder and decoder are two nn.Linear applied one after the other",
    ), layers=lambda: extra_layers(submission, model))


# ---------------------------------------------------------------- 3. denoising


@pytest.mark.item("debruiteur", points=0.5)
def test_entrainer_debruiteur_trains(submission, rng):
    assert_statement_defaults(submission, "entrainer_debruiteur")
    _assert_trains(
        submission, rng, "entrainer_debruiteur", dense_ae(submission, 64, 8, 16, 1),
        {"sigma": 0.5, "epochs": 2, "lr": 1e-2, "batch_size": 64, "seed": 0},
        "entrainer_debruiteur(modele, X, sigma, …)", ("", ""),
        ("entrainer_debruiteur(…, epochs=2)", "entrainer_debruiteur(..., epochs=2)"),
        ("à chaque lot", "on every batch"),
    )


# ---------------------------------------------------------------- 4. anomaly score


@pytest.mark.item("anomalie", points=0.5)
def test_score_anomalie_fixed_models(submission, rng):
    # Pixels below 0.8 at every variant: an X rescaled by its maximum (X / X.max()) before the
    # model changes every score here by a factor of 1.5 or more.
    X = rng.uniform(0.0, 0.8, size=(6, 64)).astype(np.float32)
    got = as_array(
        submission.call("score_anomalie", identity_model.call(submission), Tensor(X)),
        "score_anomalie(identité, X)",
    )
    other = as_array(
        submission.call("score_anomalie", zero_model.call(submission), Tensor(X)),
        "score_anomalie(modèle qui renvoie 0, X)",
    )
    if got.shape == other.shape and np.array_equal(got, other):
        # x̂ = x and x̂ = 0 give different errors on these X (all > 0): the same scores mean
        # the function does not use its argument modele.
        raise CheckFailed(
            "score_anomalie donne exactement les mêmes scores pour deux modèles différents "
            "(l'identité et un modèle qui renvoie 0) : la fonction n'utilise pas son argument "
            "modele (une variable du notebook comme modele_ae ?) ; x̂ = modele(X)",
            "score_anomalie gives exactly the same scores for two different models (the "
            "identity and a model returning 0): the function does not use its modele argument "
            "(a notebook variable such as modele_ae?); x̂ = modele(X)",
        )
    if got.shape != (6,):
        raise CheckFailed(
            f"score_anomalie(modele, X) pour X de forme (6, 64) : forme attendue (6,), obtenue "
            f"{got.shape} ; un score par exemple : moyenne sur les pixels (dim=1)",
            f"score_anomalie(modele, X) for X of shape (6, 64): expected shape (6,), got "
            f"{got.shape}; one score per example: mean over the pixels (dim=1)",
        )
    assert_close(
        got,
        np.zeros(6),
        name="score_anomalie(identité, X)",
        atol=1e-6,
        hint_fr="un modèle qui reconstruit parfaitement (x̂ = x) a une erreur nulle",
        hint_en="a model that reconstructs perfectly (x̂ = x) has a zero error",
    )
    expected = (X.astype(np.float64) ** 2).mean(axis=1)
    hint_fr = "le score est la moyenne sur les pixels de (x − x̂)², positive : ici x̂ = 0"
    hint_en = "the score is the mean over the pixels of (x − x̂)², non-negative: here x̂ = 0"
    if other.shape == expected.shape and np.all(np.isfinite(other)):
        ratio = other / expected
        if float(np.ptp(ratio)) <= 1e-4 * abs(float(ratio.mean())) and abs(float(ratio.mean()) - 1) > 1e-3:
            # Every score off by one factor: the opposite (a minus sign), a sum over the pixels
            # (64), or X rescaled before the model (X / X.max() divides each (x − 0)² by max²),
            # or a constant in the formula.
            if float(ratio.mean()) < 0:
                hint_fr = ("vos scores ont le mauvais signe : une forte erreur de reconstruction "
                           "donne un score ÉLEVÉ, ((x − x̂)²).mean(dim=1) sans signe moins")
                hint_en = ("your scores have the wrong sign: a large reconstruction error gives a "
                           "HIGH score, ((x − x̂)²).mean(dim=1) without a minus sign")
            elif abs(float(ratio.mean()) - 64) <= 1e-2:
                hint_fr = ("vos scores sont 64 fois trop grands : la SOMME sur les pixels au lieu "
                           "de leur moyenne (.mean(dim=1))")
                hint_en = ("your scores are 64 times too large: the SUM over the pixels instead of "
                           "their mean (.mean(dim=1))")
            else:
                hint_fr = ("tous vos scores sont multipliés par un même facteur : X est remis à "
                           "l'échelle avant le modèle (X / X.max() ?) ou la formule a un facteur "
                           "en trop ; le score est ((X − modele(X)) ** 2).mean(dim=1), sur X tel "
                           "qu'il est reçu")
                hint_en = ("all your scores are multiplied by one factor: X is rescaled before the "
                           "model (X / X.max()?) or the formula has an extra factor; the score is "
                           "((X − model(X)) ** 2).mean(dim=1), on X as it is received")
    assert_close(
        other,
        expected,
        name="score_anomalie(modèle qui renvoie 0, X)",
        rtol=1e-4,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


# ---------------------------------------------------------------- 5. transposed convolution


@pytest.mark.item("convtranspose_taille", points=0.5)
def test_taille_sortie_convtranspose_examples(submission):
    for args, expected in (((2, 3, 2, 1, 1), 4), ((4, 3, 2, 1, 1), 8), ((5, 3, 1, 1, 0), 5)):
        raw = submission.call("taille_sortie_convtranspose", *args)
        if isinstance(raw, (float, np.floating)):
            raise CheckFailed(
                "taille_sortie_convtranspose renvoie un nombre à virgule (float) : une taille est un "
                "entier (int), comme l'écrit l'énoncé ; n'utilisez pas /, ou convertissez avec int(…)",
                "taille_sortie_convtranspose returns a floating-point number: a size is an integer "
                "(int), as the statement says; do not use /, or convert with int(...)",
            )
        got = as_int(raw, "taille_sortie_convtranspose")
        if got != expected:
            w, k, s, p, o = args
            raise CheckFailed(
                f"taille_sortie_convtranspose(w_in={w}, k={k}, s={s}, p={p}, output_padding={o}) "
                f"= {got}, attendu {expected} ; W_out = (W_in − 1)·s − 2p + k + output_padding",
                f"taille_sortie_convtranspose(w_in={w}, k={k}, s={s}, p={p}, output_padding={o}) "
                f"= {got}, expected {expected}; W_out = (W_in − 1)·s − 2p + k + output_padding",
            )


@pytest.mark.item("ae_conv", points=0.5)
def test_ae_conv_shapes(submission, rng):
    seed_torch(submission, 0)
    model = as_module(submission, submission.call("AutoEncodeurConv"), "AutoEncodeurConv()")
    X = rng.uniform(0.0, 1.0, size=(5, 1, 8, 8)).astype(np.float32)
    code = as_array(model.call("encode", Tensor(X)), "AutoEncodeurConv().encode(x)")
    if code.ndim < 2 or code.shape[0] != 5 or code[0].size >= 64:
        raise CheckFailed(
            f"AutoEncodeurConv().encode(x) pour x de forme (5, 1, 8, 8) : obtenu {code.shape} ; "
            "le code de chaque image doit être plus petit que l'image (4 × 2 × 2 = 16 valeurs attendues)",
            f"AutoEncodeurConv().encode(x) for x of shape (5, 1, 8, 8): got {code.shape}; "
            "each image's code must be smaller than the image (4 × 2 × 2 = 16 values expected)",
        )
    if code.shape != (5, 4, 2, 2):
        # The given docstring and the statement: (N, 1, 8, 8) → (N, 4, 2, 2), the code is the
        # encoder's output, 4 channels 2×2 (a code flattened in encode, unflattened in forward,
        # is not that tensor).
        raise CheckFailed(
            f"AutoEncodeurConv().encode(x) pour x de forme (5, 1, 8, 8) : forme attendue "
            f"(5, 4, 2, 2), obtenue {code.shape} ; le code est la sortie de l'encodeur telle "
            "quelle, 4 canaux 2×2 (docstring : (N, 1, 8, 8) → (N, 4, 2, 2)), sans l'aplatir "
            "ni le remettre en forme dans encode",
            f"AutoEncodeurConv().encode(x) for x of shape (5, 1, 8, 8): expected shape "
            f"(5, 4, 2, 2), got {code.shape}; the code is the encoder's output as it is, "
            "4 channels 2×2 (docstring: (N, 1, 8, 8) → (N, 4, 2, 2)), neither flattened nor "
            "reshaped in encode",
        )
    out = as_array(model.call("forward", Tensor(X)), "AutoEncodeurConv()(x)", allow_nan=True)
    if out.shape != (5, 1, 8, 8):
        raise CheckFailed(
            f"AutoEncodeurConv()(x) pour x de forme (5, 1, 8, 8) : forme attendue (5, 1, 8, 8), "
            f"obtenue {out.shape} ; vérifiez output_padding de vos ConvTranspose2d : "
            "W_out = (W_in − 1)·s − 2p + k + output_padding doit donner 2 → 4 → 8",
            f"AutoEncodeurConv()(x) for x of shape (5, 1, 8, 8): expected shape (5, 1, 8, 8), "
            f"got {out.shape}; check the output_padding of your ConvTranspose2d: "
            "W_out = (W_in − 1)·s − 2p + k + output_padding must give 2 → 4 → 8",
        )
    if not np.all((out >= 0.0) & (out <= 1.0)):
        raise CheckFailed(
            "les reconstructions doivent être dans [0, 1] : terminez le décodeur par une Sigmoid",
            "reconstructions must lie in [0, 1]: end the decoder with a Sigmoid",
        )


# ---------------------------------------------------------------- 6. VAE


@pytest.mark.item("reparametrisation", points=0.5)
def test_reparametrisation_fixed_eps(submission):
    assert_statement_defaults(submission, "reparametrisation")
    mu = np.array([[0.0, 1.0]])
    logvar = np.array([[0.0, math.log(4.0)]])
    eps = np.array([[1.0, -0.5]])
    got = submission.call("reparametrisation", Tensor(mu), Tensor(logvar), Tensor(eps))
    hint_fr = "σ = exp(log σ² / 2) : ici σ = (1, 2), donc z = μ + σ ⊙ ε = (1, 0)"
    hint_en = "σ = exp(log σ² / 2): here σ = (1, 2), so z = μ + σ ⊙ ε = (1, 0)"
    again = submission.call("reparametrisation", Tensor(mu), Tensor(logvar), Tensor(eps))
    if not np.array_equal(as_array(got, "z", allow_nan=True), as_array(again, "z", allow_nan=True)):
        # Its premise: the same ε gave two different z, so the ε received is not the one used.
        hint_fr = ("deux appels avec le même ε donnent deux z différents : utilisez l'argument eps "
                   "reçu (ne tirez torch.randn_like(mu) que si eps vaut None) ; " + hint_fr)
        hint_en = ("two calls with the same ε give two different z: use the eps argument given "
                   "(draw torch.randn_like(mu) only when eps is None); " + hint_en)
    assert_close(
        got,
        np.array([[1.0, 0.0]]),
        name="reparametrisation(μ=(0, 1), log σ²=(0, log 4), ε=(1, −0.5))",
        rtol=1e-6,
        atol=1e-6,
        hint_fr=hint_fr,
        hint_en=hint_en,
    )
    z = as_array(
        submission.call("reparametrisation", Tensor(np.zeros((4, 3))), Tensor(np.zeros((4, 3)))),
        "reparametrisation(μ, log σ²) sans ε",
    )
    if z.shape != (4, 3) or np.allclose(z, 0.0):
        raise CheckFailed(
            f"reparametrisation(μ = 0, log σ² = 0) sans ε doit tirer z ~ N(0, I) de forme (4, 3), "
            f"obtenu une forme {z.shape}{' nulle' if z.shape == (4, 3) else ''} ; "
            "si eps vaut None, eps = torch.randn_like(mu)",
            f"reparametrisation(μ = 0, log σ² = 0) without ε must draw z ~ N(0, I) of shape "
            f"(4, 3), got shape {z.shape}{' all zeros' if z.shape == (4, 3) else ''}; "
            "when eps is None, eps = torch.randn_like(mu)",
        )


@pytest.mark.item("kl", points=0.5)
def test_kl_simple_cases(submission):
    mu = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, -1.0]])
    logvar = np.zeros((3, 2))
    got = as_array(submission.call("kl_gaussienne", Tensor(mu), Tensor(logvar)), "kl_gaussienne")
    if got.shape != (3,):
        raise CheckFailed(
            f"kl_gaussienne(mu, logvar) pour des tenseurs (3, 2) : forme attendue (3,), obtenue "
            f"{got.shape} ; la KL de chaque exemple est la somme sur les k dimensions latentes (dim=1)",
            f"kl_gaussienne(mu, logvar) for (3, 2) tensors: expected shape (3,), got {got.shape}; "
            "each example's KL is the sum over the k latent dimensions (dim=1)",
        )
    assert_close(
        got,
        np.array([0.0, 0.5, 1.0]),
        name="kl_gaussienne(μ = (0, 0), (1, 0), (1, −1) ; log σ² = 0)",
        rtol=1e-5,
        atol=1e-6,
        hint_fr="avec σ = 1, la KL vaut ‖μ‖² / 2 (somme sur les dimensions latentes) et n'est jamais négative",
        hint_en="with σ = 1, the KL is ‖μ‖² / 2 (sum over the latent dimensions) and is never negative",
    )


@pytest.mark.item("elbo", points=0.5)
def test_perte_vae_simple_case(submission):
    assert_statement_defaults(submission, "perte_vae")
    # Two examples (a sum over the batch differs from the mean): KL = 0.5 and 0, mean 0.25.
    x = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    x_hat = np.full((2, 4), 0.5)
    mu = np.array([[1.0, 0.0], [0.0, 0.0]])
    logvar = np.zeros((2, 2))
    # Against the grader's KL: a KL mistake costs points in its own item only.
    got = with_references(
        submission, {"kl_gaussienne": kl_gaussienne},
        "perte_vae", Tensor(x), Tensor(x_hat), Tensor(mu), Tensor(logvar), beta=2.0,
    )
    assert_close(
        as_array(got, "perte_vae", shape=()),
        4 * math.log(2.0) + 2.0 * 0.25,
        name="perte_vae(x = 2 exemples de 4 pixels, x̂ = 0.5, μ = (1, 0) et (0, 0), log σ² = 0, β = 2)",
        rtol=1e-5,
        hint_fr="BCE(0.5, x) = log 2 par pixel, SOMMÉE sur les 4 pixels de chaque exemple, plus "
                "β · KL (KL = 0.5 et 0) ; puis la MOYENNE sur les 2 exemples, des deux termes",
        hint_en="BCE(0.5, x) = log 2 per pixel, SUMMED over each example's 4 pixels, plus "
                "β · KL (KL = 0.5 and 0); then the MEAN over the 2 examples, of both terms",
    )
