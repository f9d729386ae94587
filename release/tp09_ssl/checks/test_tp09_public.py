"""Vérifications publiques du TP09 : formes, comportement de base, petits exemples fixés.

These checks are shipped to students: every expected value here comes from a small fixed
example they can redo by hand (or with a few lines of NumPy). The hidden checks test the
same items on grader-chosen random inputs, and measure the trained encoders themselves.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    Handle,
    StudentError,
    Tensor,
    as_array,
    as_float,
    assert_close,
    assert_signature_defaults,
    kernel_side,
    with_references,
)

from .helpers import flat_parameters, gradient_reached, notebook_encoder, nt_xent_ref

# The course's policy, in every TP: a default the notebook relies on (a call that leaves the
# argument out: entrainer_rotation(encodeur_rotation, X_pento, seed=0), nt_xent(z, z),
# perte_masquee(cible, X_rec, m), detecter_effondrement(modele, X)) is part of the answer;
# where every call passes the argument (the seeds, masquer_patchs's), another default is an
# EQUIVALENT mutant.
STATEMENT_DEFAULTS: dict[str, dict[str, float | int]] = {
    "entrainer_rotation": {"epochs": 12, "lr": 3e-3, "batch_size": 256},
    "perte_masquee": {"taille": 2},
    "nt_xent": {"temperature": 0.5},
    "alignement": {"alpha": 2},
    "uniformite": {"t": 2},
    "detecter_effondrement": {"seuil": 0.1},
    "affiner": {"epochs": 100, "lr": 1e-2},
}


@kernel_side
def rotations_of_the_right_format(X):
    """Stands for the student's construire_rotations in other items: right format, no rotation."""
    import numpy as np

    X = np.asarray(X, dtype=np.float32)
    return np.concatenate([X, X, X, X]), np.repeat(np.arange(4), len(X))


@kernel_side
def head_output_shape(encodeur, tete, X):
    import torch

    ok = isinstance(encodeur, torch.nn.Module) and isinstance(tete, torch.nn.Module)
    if not ok:
        return {"modules": False}
    with torch.no_grad():
        sortie = tete(encodeur(torch.as_tensor(X, dtype=torch.float32)))
    return {"modules": True, "forme": list(sortie.shape)}


@kernel_side
def inspect_classifier(modele, encodeur, X):
    """Is it a module, its output shape, does it hold the encoder's parameters?"""
    import torch

    if not isinstance(modele, torch.nn.Module):
        return {"module": False, "type": type(modele).__name__}
    ids = {id(p) for p in encodeur.parameters()}
    with torch.no_grad():
        sortie = modele(torch.as_tensor(X, dtype=torch.float32))
    return {
        "module": True,
        "forme": list(sortie.shape),
        "encodeur": any(id(p) in ids for p in modele.parameters()),
        # another module of the encoder's class: a copy (copy.deepcopy(encodeur))
        "copie": any(type(m) is type(encodeur) and m is not encodeur for m in modele.modules()),
    }


# ---------------------------------------------------------------- 1. rotations


@pytest.mark.item("rotations", points=0.5)
def test_construire_rotations_exemple(submission):
    X = np.arange(1, 2 * 3 * 3 + 1, dtype=np.float32).reshape(2, 3, 3)
    call = "construire_rotations(X) pour X = np.arange(1, 19).reshape(2, 3, 3)"
    try:
        got = submission.call("construire_rotations", X)
    except StudentError as exc:
        if exc.ename == "ValueError" and ("dimension" in exc.evalue or "shape" in exc.evalue):
            raise CheckFailed(
                f"{call} a levé {exc.ename} : {exc.evalue[:200]} ; np.rot90 sur un lot (N, H, H) "
                "tourne par défaut les axes 0 et 1 (le lot et les lignes) : passez axes=(1, 2)",
                f"{call} raised {exc.ename}: {exc.evalue[:200]}; np.rot90 on a batch (N, H, H) "
                "rotates axes 0 and 1 by default (the batch and the rows): pass axes=(1, 2)",
            ) from None
        raise
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise CheckFailed(
            f"{call} doit renvoyer un couple (X_rot, y_rot)",
            f"{call} must return a pair (X_rot, y_rot)",
        )
    y_rot = as_array(got[1], f"{call} : y_rot", shape=(8,), dtype=np.int64)
    X_rot = as_array(got[0], f"{call} : X_rot", dtype=None)
    if X_rot.ndim != 3 or len(X_rot) != 8:
        raise CheckFailed(
            f"{call} : X_rot de forme {X_rot.shape}, 8 images attendues (4 rotations de 2 images)",
            f"{call}: X_rot of shape {X_rot.shape}, 8 images expected (4 rotations of 2 images)",
        )
    seen = set()
    for j in range(8):
        matches = [
            (i, k)
            for i in range(2)
            for k in range(4)
            if np.rot90(X[i], k).shape == X_rot[j].shape
            and np.array_equal(np.rot90(X[i], k), X_rot[j])
        ]
        if not matches:
            hint = _not_a_rotation_hint(X, X_rot[j])
            raise CheckFailed(
                f"{call} : X_rot[{j}] = {X_rot[j].tolist()} n'est aucune rotation np.rot90(X[i], k) "
                f"({hint[0]})",
                f"{call}: X_rot[{j}] = {X_rot[j].tolist()} is no rotation np.rot90(X[i], k) "
                f"({hint[1]})",
            )
        i, k = matches[0]
        if int(y_rot[j]) != k:
            extra_fr = extra_en = ""
            if int(y_rot[j]) == (4 - k) % 4:
                extra_fr = " : vous tournez dans le sens horaire, np.rot90 tourne dans le sens trigonométrique"
                extra_en = ": you rotate clockwise, np.rot90 rotates counter-clockwise"
            raise CheckFailed(
                f"{call} : X_rot[{j}] est np.rot90(X[{i}], {k}) mais y_rot[{j}] = {int(y_rot[j])}, "
                f"attendu {k}{extra_fr}",
                f"{call}: X_rot[{j}] is np.rot90(X[{i}], {k}) but y_rot[{j}] = {int(y_rot[j])}, "
                f"expected {k}{extra_en}",
            )
        seen.add((i, k))
    if len(seen) != 8:
        raise CheckFailed(
            f"{call} : chaque image doit apparaître une fois pour chaque k = 0, 1, 2, 3",
            f"{call}: each image must appear once for each k = 0, 1, 2, 3",
        )


# ---------------------------------------------------------------- 2. rotation training


@pytest.mark.item("pretexte_rotation", points=0.5)
def test_entrainer_rotation_format(submission):
    X = np.random.default_rng(0).uniform(0.0, 1.0, size=(64, 8, 8)).astype(np.float32)
    encodeur = notebook_encoder.call(submission, 0)
    before = as_array(flat_parameters.call(submission, encodeur), "paramètres")
    call = "entrainer_rotation(encodeur, X (64, 8, 8), epochs=1, batch_size=32)"
    # A stand-in construire_rotations of the right format (it does not rotate): a bug of the
    # student's rotations costs the rotations item only.
    out = with_references(
        submission, {"construire_rotations": rotations_of_the_right_format},
        "entrainer_rotation", encodeur, X, epochs=1, lr=3e-3, batch_size=32, seed=0, timeout=60
    )
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        raise CheckFailed(
            f"{call} doit renvoyer un couple (encodeur, tete)",
            f"{call} must return a pair (encoder, head)",
        )
    if not all(isinstance(h, Handle) for h in out):
        raise CheckFailed(
            f"{call} doit renvoyer deux nn.Module (encodeur, tete)",
            f"{call} must return two nn.Module (encoder, head)",
        )
    info = head_output_shape.call(submission, out[0], out[1], X[:5])
    if not isinstance(info, dict) or info.get("modules") is not True:
        raise CheckFailed(
            f"{call} doit renvoyer deux nn.Module (encodeur, tete)",
            f"{call} must return two nn.Module (encoder, head)",
        )
    if info.get("forme") != [5, 4]:
        raise CheckFailed(
            f"{call} : tete(encodeur(x)) pour 5 images a la forme {info.get('forme')}, attendu "
            "[5, 4] (une sortie par rotation)",
            f"{call}: head(encoder(x)) for 5 images has shape {info.get('forme')}, expected "
            "[5, 4] (one output per rotation)",
        )
    after = as_array(
        flat_parameters.call(submission, out[0]), "paramètres", allow_nan=True
    )
    if after.shape == before.shape and np.array_equal(after, before) and not bool(
        gradient_reached.call(submission, out[0])
    ):
        raise CheckFailed(
            f"{call} : les paramètres de l'encodeur n'ont pas changé et aucun gradient ne les a "
            "atteints : le graphe est coupé entre la perte et l'encodeur (.detach() sur "
            "encodeur(lot), torch.no_grad() ou requires_grad_(False))",
            f"{call}: the encoder's parameters did not change and no gradient reached them: the "
            "graph is cut between the loss and the encoder (.detach() on encodeur(lot), "
            "torch.no_grad() or requires_grad_(False))",
        )
    if after.shape == before.shape and np.array_equal(after, before):
        raise CheckFailed(
            f"{call} : les paramètres de l'encodeur n'ont pas changé ; l'optimiseur doit "
            "recevoir les paramètres de l'encodeur et de la tête",
            f"{call}: the encoder's parameters did not change; the optimiser must receive the "
            "parameters of the encoder and of the head",
        )
    assert_signature_defaults(submission, "entrainer_rotation", STATEMENT_DEFAULTS["entrainer_rotation"])


# ---------------------------------------------------------------- 3. masking


@pytest.mark.item("masquage", points=0.5)
def test_masquage_exemple(submission):
    X = np.ones((20, 4, 4), dtype=np.float32)
    call = "masquer_patchs(np.ones((20, 4, 4)), ratio=0.5, taille=2, seed=0)"
    got = submission.call("masquer_patchs", X, ratio=0.5, taille=2, seed=0)
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise CheckFailed(
            f"{call} doit renvoyer un couple (X_masque, masque)",
            f"{call} must return a pair (X_masque, masque)",
        )
    Xm = as_array(got[0], f"{call} : X_masque", shape=(20, 4, 4))
    m = as_array(got[1], f"{call} : masque", shape=(20, 2, 2), dtype=bool)
    counts = m.reshape(20, -1).sum(axis=1)
    if not np.all(counts == 2):
        raise CheckFailed(
            f"{call} : nombres de patchs masqués par image {counts.tolist()}, attendu 2 pour "
            "chaque image (round(0.5 × 4) patchs distincts, tirés sans remise)",
            f"{call}: numbers of masked patches per image {counts.tolist()}, expected 2 for each "
            "image (round(0.5 × 4) distinct patches, drawn without replacement)",
        )
    if not np.array_equal(Xm == 0, m.repeat(2, axis=1).repeat(2, axis=2)):
        raise CheckFailed(
            f"{call} : les pixels à 0 de X_masque doivent être exactement ceux des patchs 2×2 "
            "où masque vaut True",
            f"{call}: the zero pixels of X_masque must be exactly those of the 2×2 patches where "
            "the mask is True",
        )
    if len({row.tobytes() for row in m.reshape(20, -1)}) == 1:
        raise CheckFailed(
            f"{call} : les 20 images ont le même masque ; tirez un masque par image",
            f"{call}: the 20 images have the same mask; draw one mask per image",
        )
    X_rec = np.arange(32, dtype=np.float64).reshape(2, 4, 4) / 10
    masque = np.zeros((2, 2, 2), dtype=bool)
    masque[0, 0, 0] = masque[1, 1, 1] = True
    value = as_float(
        submission.call("perte_masquee", Tensor(np.zeros((2, 4, 4))), Tensor(X_rec), masque, 2),
        "perte_masquee",
    )
    # masked pixels: 0, 0.1, 0.4, 0.5 (image 0) and 2.6, 2.7, 3.0, 3.1 (image 1)
    if abs(value - 4.135) > 1e-6:
        raise CheckFailed(
            f"perte_masquee(X = 0, X_rec = arange(32).reshape(2, 4, 4) / 10, patch (0, 0) de "
            f"l'image 0 et patch (1, 1) de l'image 1 masqués) = {value:.6g}, attendu 4.135 : la "
            "moyenne des carrés des 8 pixels masqués (0, 0.1, 0.4, 0.5, 2.6, 2.7, 3.0, 3.1)",
            f"perte_masquee(X = 0, X_rec = arange(32).reshape(2, 4, 4) / 10, patch (0, 0) of image "
            f"0 and patch (1, 1) of image 1 masked) = {value:.6g}, expected 4.135: the mean of the "
            "squares of the 8 masked pixels (0, 0.1, 0.4, 0.5, 2.6, 2.7, 3.0, 3.1)",
        )
    assert_signature_defaults(submission, "perte_masquee", STATEMENT_DEFAULTS["perte_masquee"])


# ---------------------------------------------------------------- 4. NT-Xent


@pytest.mark.item("nt_xent", points=1)
def test_nt_xent_exemple(submission):
    z1 = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    z2 = np.array([[2.0, 0.5], [-0.5, 1.0], [1.0, 2.0]])
    tau = 0.5
    call = "nt_xent(z1, z2, temperature=0.5) pour z1 = [[1, 0], [0, 2], [3, 3]], z2 = [[2, 0.5], [-0.5, 1], [1, 2]]"
    value = as_float(submission.call("nt_xent", Tensor(z1), Tensor(z2), temperature=tau), call)
    want = nt_xent_ref(z1, z2, tau)
    if abs(value - want) <= 1e-5:
        assert_signature_defaults(submission, "nt_xent", STATEMENT_DEFAULTS["nt_xent"])
        return
    hint_fr = hint_en = ""
    for kw, fr, en in (
        ({"self_sim": True}, "la similarité de chaque exemple avec lui-même est restée dans le dénominateur (somme sur k ≠ i)",
         "each example's similarity with itself was left in the denominator (sum over k ≠ i)"),
        ({"normalise": False}, "les projections ne sont pas normalisées (similarité cosinus : F.normalize)",
         "the projections are not normalised (cosine similarity: F.normalize)"),
        ({"tau_power": 2}, "la température est appliquée deux fois (division par τ²)",
         "the temperature is applied twice (division by τ²)"),
        ({"tau_power": 0}, "la température n'est pas appliquée",
         "the temperature is not applied"),
        ({"self_zero": True}, "la diagonale s_ii est mise à 0 au lieu d'être exclue : exp(0) = 1 reste au dénominateur ; "
         "masquez-la par −∞, pas par 0",
         "the diagonal s_ii is set to 0 instead of being excluded: exp(0) = 1 stays in the denominator; mask it with "
         "−∞, not with 0"),
        ({"positive_in_denominator": False}, "le positif est retiré du dénominateur : Σ_{k≠i} contient le positif p(i), "
         "seul s_ii est exclu",
         "the positive is removed from the denominator: Σ_{k≠i} holds the positive p(i), only s_ii is excluded"),
        ({"same_view_negatives": False}, "le dénominateur ne contient que les exemples de l'autre vue (z1 @ z2.T) : "
         "il doit contenir les 2N − 1 autres exemples, y compris ceux de la même vue",
         "the denominator only holds the examples of the other view (z1 @ z2.T): it must hold the 2N − 1 other "
         "examples, those of the same view included"),
        ({"anchors": "first"}, "seuls les N exemples de la première vue servent d'ancres : faites la moyenne de ℓ_i "
         "sur les 2N exemples des deux vues",
         "only the N examples of the first view are anchors: average ℓ_i over the 2N examples of both views"),
    ):  # fmt: skip
        if abs(value - nt_xent_ref(z1, z2, tau, **kw)) <= 1e-5:
            hint_fr, hint_en = f" ; {fr}", f"; {en}"
            break
    raise CheckFailed(
        f"{call} = {value:.6g}, attendu {want:.6g}{hint_fr}",
        f"{call} = {value:.6g}, expected {want:.6g}{hint_en}",
    )


# ---------------------------------------------------------------- 5. alignment, uniformity


@pytest.mark.item("alignement_uniformite", points=0.5)
def test_alignement_uniformite_exemple(submission):
    z1 = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    z2 = np.array([[0.0, 1.0], [0.0, 0.5], [-2.0, -2.0]])
    # normalised: (1, 0), (0, 1), (1, 1)/√2 and (0, 1), (0, 1), −(1, 1)/√2
    # squared distances between the pairs: 2, 0, 4 -> mean 2
    value = as_float(submission.call("alignement", Tensor(z1), Tensor(z2)), "alignement(z1, z2)")
    assert_close(
        value,
        2.0,
        name="alignement(z1, z2) pour z1 = [[2, 0], [0, 3], [1, 1]], z2 = [[0, 1], [0, 0.5], [-2, -2]]",
        rtol=1e-6,
        hint_fr="les lignes normalisées sont (1, 0), (0, 1), (1, 1)/√2 et (0, 1), (0, 1), −(1, 1)/√2 : "
        "distances au carré 2, 0 et 4, moyenne 2",
        hint_en="the normalised rows are (1, 0), (0, 1), (1, 1)/√2 and (0, 1), (0, 1), −(1, 1)/√2: "
        "squared distances 2, 0 and 4, mean 2",
    )
    # pairs of distinct rows of z1 (normalised): squared distances 2, 2 − √2, 2 − √2
    want = float(np.log(np.mean(np.exp(-2 * np.array([2.0, 2 - np.sqrt(2), 2 - np.sqrt(2)])))))
    value = as_float(submission.call("uniformite", Tensor(z1)), "uniformite(z1)")
    assert_close(
        value,
        want,
        name="uniformite(z1) pour z1 = [[2, 0], [0, 3], [1, 1]]",
        rtol=1e-6,
        hint_fr="les 3 paires i < j des lignes normalisées ont pour distances au carré 2, 2 − √2 "
        "et 2 − √2 : log de la moyenne de exp(−2 d²) sur ces 3 paires seulement",
        hint_en="the 3 pairs i < j of the normalised rows have squared distances 2, 2 − √2 and "
        "2 − √2: log of the mean of exp(−2 d²) over these 3 pairs only",
    )
    assert_signature_defaults(submission, "alignement", STATEMENT_DEFAULTS["alignement"])
    assert_signature_defaults(submission, "uniformite", STATEMENT_DEFAULTS["uniformite"])


# ---------------------------------------------------------------- 6. collapse


@pytest.mark.item("effondrement", points=0.5)
def test_effondrement_exemple(submission):
    constant = np.tile(np.array([[3.0, -1.0, 2.0]]), (5, 1))
    value = as_float(submission.call("mesure_effondrement", constant), "mesure_effondrement")
    if abs(value) > 1e-6:
        raise CheckFailed(
            f"mesure_effondrement(5 lignes identiques [3, -1, 2]) = {value:.6g}, attendu 0 : "
            "l'écart-type se calcule pour chaque dimension sur le lot (axe 0)",
            f"mesure_effondrement(5 identical rows [3, -1, 2]) = {value:.6g}, expected 0: the "
            "standard deviation is taken for each dimension over the batch (axis 0)",
        )
    for scale in (1.0, 1000.0):
        Z = scale * np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
        what = f"mesure_effondrement({scale:g} × [[1, 0], [0, 1], [-1, 0], [0, -1]])"
        value = as_float(submission.call("mesure_effondrement", Z), what)
        if abs(value - 1.0) > 1e-6:
            hint = (
                "les lignes sont normalisées d'abord, l'échelle ne compte pas",
                "the rows are normalised first, the scale does not count",
            )
            if abs(value - np.sqrt(4 / 3)) <= 1e-4:  # the corrected std, N − 1 = 3
                hint = (
                    f"{value:.6g} = √(4/3) : c'est l'écart-type corrigé (division par N − 1) ; "
                    "l'énoncé prend l'écart-type sans correction, np.std ou "
                    "torch.std(..., correction=0) (unbiased=False), torch.std corrigeant par "
                    "défaut",
                    f"{value:.6g} = √(4/3): that is the corrected standard deviation (division by "
                    "N − 1); the statement takes the uncorrected one, np.std or "
                    "torch.std(..., correction=0) (unbiased=False), torch.std corrects by default",
                )
            raise CheckFailed(
                f"{what} = {value:.6g}, attendu 1 : écart-type de chaque dimension √0.5, moyenne "
                f"√0.5, fois √d = √2 ; {hint[0]}",
                f"{what} = {value:.6g}, expected 1: standard deviation of each dimension √0.5, "
                f"mean √0.5, times √d = √2; {hint[1]}",
            )
    assert_signature_defaults(
        submission, "detecter_effondrement", STATEMENT_DEFAULTS["detecter_effondrement"]
    )


# ---------------------------------------------------------------- 7. few labels


@pytest.mark.item("peu_etiquettes", points=0.5)
def test_affiner_format(submission):
    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, size=(18, 8, 8)).astype(np.float32)
    y = np.repeat(np.arange(9), 2)
    encodeur = notebook_encoder.call(submission, 0)
    call = "affiner(encodeur, X (18, 8, 8), y, 9, epochs=5)"
    out = submission.call("affiner", encodeur, X, y, 9, epochs=5, lr=1e-2, seed=0, timeout=60)
    info = inspect_classifier.call(submission, out, encodeur, X)
    if not isinstance(info, dict) or info.get("module") is not True:
        raise CheckFailed(
            f"{call} doit renvoyer un nn.Module (le classifieur)",
            f"{call} must return an nn.Module (the classifier)",
        )
    if info.get("forme") != [18, 9]:
        raise CheckFailed(
            f"{call} : le classifieur donne des logits de forme {info.get('forme')} pour 18 "
            "images, attendu [18, 9]",
            f"{call}: the classifier gives logits of shape {info.get('forme')} for 18 images, "
            "expected [18, 9]",
        )
    if info.get("encodeur") is not True and info.get("copie") is True:
        raise CheckFailed(
            f"{call} : le classifieur renvoyé contient une copie de l'encodeur reçu "
            "(copy.deepcopy ?), pas l'encodeur lui-même ; l'énoncé demande "
            "nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes)) avec l'encodeur reçu "
            "(le code qui appelle affiner fait une copie s'il en veut une)",
            f"{call}: the returned classifier holds a copy of the encoder it received "
            "(copy.deepcopy?), not the encoder itself; the statement asks for "
            "nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes)) with the encoder "
            "received (the calling code makes a copy if it wants one)",
        )
    if info.get("encodeur") is not True:
        raise CheckFailed(
            f"{call} : le classifieur renvoyé ne contient pas l'encodeur reçu ; construisez-le "
            "avec nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes)) : c'est l'encodeur "
            "reçu qui porte le pré-entraînement",
            f"{call}: the returned classifier does not contain the encoder it received; build it "
            "with nn.Sequential(encodeur, nn.Linear(encodeur.dim, n_classes)): the received "
            "encoder carries the pre-training",
        )
    assert_signature_defaults(submission, "affiner", STATEMENT_DEFAULTS["affiner"])


def _not_a_rotation_hint(X: np.ndarray, image: np.ndarray) -> tuple[str, str]:
    """What `image` is instead of a rotation of an image of X, each hint given only when its
    premise is observed (blind round 15: a mirror and a rescaled image were told to pass
    axes=(1, 2), which they did)."""
    image = np.asarray(image, dtype=float)
    originals = [np.asarray(X[i], dtype=float) for i in range(len(X))]
    rotations = [np.rot90(x, k) for x in originals for k in range(4)]
    if any(r.shape == image.shape and np.allclose(r - r.mean(), image, atol=1e-5) for r in rotations):
        return ("c'est une rotation d'une image de X dont la moyenne a été retirée : "
                "construire_rotations ne fait que tourner les images, sans les centrer",
                "it is a rotation of an image of X with its mean removed: construire_rotations "
                "only rotates the images, without centring them")
    for r in rotations:
        if r.shape == image.shape and np.ptp(image) > 0:
            a, b = np.polyfit(r.ravel(), image.ravel(), 1)
            if np.allclose(a * r + b, image, atol=1e-5):
                return ("c'est une rotation d'une image de X dont les valeurs ont été changées (mise à "
                        "l'échelle ou normalisée) : construire_rotations ne fait que tourner les "
                        "images, sans toucher à leurs valeurs",
                        "it is a rotation of an image of X whose values were changed (rescaled or "
                        "normalised): construire_rotations only rotates the images, without touching "
                        "their values")
    mirrors = [m(x) for x in originals for m in (np.flipud, np.fliplr, np.transpose, lambda x: np.rot90(x).T)]
    if any(m.shape == image.shape and np.array_equal(m, image) for m in mirrors):
        return ("c'est un miroir (ou une transposition) d'une image de X, pas une rotation : "
                "X[:, ::-1, :], np.flip ou .T retournent l'image ; tournez avec "
                "np.rot90(X, k, axes=(1, 2))",
                "it is a mirror (or a transpose) of an image of X, not a rotation: X[:, ::-1, :], "
                "np.flip or .T flip the image; rotate with np.rot90(X, k, axes=(1, 2))")
    batch = np.asarray(X, dtype=float)
    wrong_axes = [s for k in (1, 2, 3) for s in np.rot90(batch, k)]
    if any(s.shape == image.shape and np.array_equal(s, image) for s in wrong_axes):
        return ("sur un lot, np.rot90 tourne par défaut les axes 0 et 1 (le lot et les lignes) : "
                "passez axes=(1, 2)",
                "on a batch, np.rot90 rotates axes 0 and 1 by default (the batch and the rows): "
                "pass axes=(1, 2)")
    return ("chaque image de X_rot doit être np.rot90(X[i], k) d'une image X[i], "
            "pour k = 0, 1, 2, 3, sans autre transformation",
            "every image of X_rot must be np.rot90(X[i], k) of an image X[i], for k = 0, 1, 2, 3, "
            "with no other transformation")
