"""Hidden checks of tp11_softmax: grader-chosen inputs (the `rng` fixture), never shipped."""

import numpy as np
import pytest

from autograder.checks import CheckFailed, Ref, as_array, assert_close, kernel_side


def reference_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


@pytest.mark.item("softmax", points=2)
def test_softmax_lignes_non_carrees(submission, rng):
    n, k = rng.integers(3, 7), rng.integers(8, 12)  # n != k: a wrong axis cannot hide
    Z = rng.normal(scale=3.0, size=(n, k))
    assert_close(
        submission.call("softmax", Z), reference_softmax(Z), name="softmax(Z)",
        hint_fr="normalisez chaque ligne (axis=1, keepdims=True), pas chaque colonne ni tout le tableau",
        hint_en="normalise each row (axis=1, keepdims=True), not each column nor the whole array",
    )


@pytest.mark.item("softmax", points=1)
def test_softmax_grands_logits(submission, rng):
    Z = rng.normal(size=(4, 5)) + rng.choice([-1.0, 1.0], size=(4, 1)) * 1000.0
    got = as_array(submission.call("softmax", Z), name="softmax(Z)", shape=Z.shape, allow_nan=True)
    if not np.all(np.isfinite(got)):
        raise CheckFailed(
            "softmax donne inf ou nan pour des logits de l'ordre de 1000 : soustrayez le maximum de chaque ligne avant exp",
            "softmax gives inf or nan for logits around 1000: subtract each row's maximum before exp",
        )
    assert_close(got, reference_softmax(Z), name="softmax(Z) pour de grands logits")


@kernel_side
def leaves_its_argument(fn, Z):
    """Runs in the student's kernel: an argument modified in place never travels back."""
    import numpy as np

    Z = np.array(Z)
    before = Z.copy()
    fn(Z)
    return bool(np.array_equal(Z, before))


@pytest.mark.item("softmax", points=1)
def test_softmax_ne_modifie_pas_Z(submission, rng):
    if not leaves_its_argument.call(submission, Ref("softmax"), rng.normal(size=(3, 4))):
        raise CheckFailed(
            "softmax modifie son argument Z (par exemple Z -= Z.max(...)) : travaillez sur une copie",
            "softmax modifies its argument Z (e.g. Z -= Z.max(...)): work on a copy",
        )


@pytest.mark.item("entropie", points=2)
def test_entropie_moyenne(submission, rng):
    n, k = rng.integers(5, 12), rng.integers(3, 6)
    P = reference_softmax(rng.normal(size=(n, k)))
    y = rng.integers(0, k, size=n)
    assert_close(
        submission.call("entropie_croisee", P, y), -np.mean(np.log(P[np.arange(n), y])),
        name="entropie_croisee(P, y)", rtol=1e-6,
        hint_fr="une valeur par exemple, -log P[i, y[i]], puis la moyenne (pas la somme)",
        hint_en="one value per example, -log P[i, y[i]], then the mean (not the sum)",
    )
