"""Hidden checks, part 6: PCA projection of a matrix of activations.

The grader sends a random matrix with a known, well-separated spectrum (so the first two
principal directions are well defined) and compares the student's (N, 2) projection with
its own SVD of the centred matrix, up to the sign of each column. One matrix is already
centred (tests the basis, order and scale); the other is shifted far from the origin
(tests the centring). A third, centred, carries its largest variances on its last features,
built so that np.linalg.eig of its covariance returns the eigenvalues out of order (an
unsorted eig is right on the first, whose eig comes out sorted). The shifted matrix is sent
right after another of the same shape: an answer that keeps a fit from one call to the next
(a global cache) projects it wrong.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, as_array, assert_arguments_untouched, assert_close

# A float32 projection is off by up to ~1e-5 relative (the shifted matrix cancels its
# offset); every wrong variant below differs by O(1) (another component, no centring, a
# swapped or unscaled column): 1e-3 sits far from both.
RTOL, ATOL = 1e-3, 1e-5


def _matrix(rng, *, offset: bool, n: int | None = None, h: int | None = None) -> np.ndarray:
    n = int(rng.integers(30, 101)) if n is None else n
    h = int(rng.integers(4, 16)) if h is None else h
    # Singular values decreasing by a factor ≥ 1.3: every component is well separated.
    spectrum = 10.0 * np.cumprod(np.r_[1.0, rng.uniform(1.3, 2.0, size=h - 1) ** -1])
    Q, _ = np.linalg.qr(rng.normal(size=(h, h)))
    Z = rng.normal(size=(n, h))
    Z -= Z.mean(axis=0)
    Z, _ = np.linalg.qr(Z)  # orthonormal, centred columns (they stay centred)
    H = (Z * spectrum) @ Q.T
    if offset:
        H = H + rng.normal(5.0, 3.0, size=h)
    return H


def _eig_unsorted_matrix(rng) -> np.ndarray:
    """A zero-mean matrix on which np.linalg.eig of the covariance lists its eigenvalues out of
    order, whatever formula computes the covariance (np.cov, Hc.T @ Hc / n, float32...).

    Its covariance is block-diagonal with EXACT zeros: the first a features (small variance)
    and the last h − a (the two largest variances) live on disjoint sets of rows, and every
    entry is an integer with each column summing to exactly 0 (the mean is exactly 0, centring
    changes nothing). LAPACK's eig then keeps the blocks apart and returns the first block's
    eigenvalues first: its two first eigenvectors are two small-variance components, never the
    first two principal components. The spectrum is well separated (ratios ≥ 1.1, ≥ 1.2 at the
    top), the principal directions are dense within each block."""
    for _ in range(200):
        n, h = int(rng.integers(30, 101)), int(rng.integers(4, 16))
        a = int(rng.integers(2, h - 1))
        spectrum = np.cumprod(np.r_[1.0, rng.uniform(1.2, 1.5, size=h - 1) ** -1])
        spectrum *= 40.0 / spectrum[-1]  # integer entries: the smallest singular value ~ 40
        rows = rng.permutation(n)
        n_large = int(rng.integers(h - a + 3, n - a - 2))
        H = np.zeros((n, h))
        for cols, where, spec in (
            (np.arange(a, h), rows[:n_large], spectrum[: h - a]),
            (np.arange(a), rows[n_large:], spectrum[h - a :]),
        ):
            k = len(spec)
            Q, _ = np.linalg.qr(rng.normal(size=(k, k)))
            Z = rng.normal(size=(len(where), k))
            Z -= Z.mean(axis=0)
            Z, _ = np.linalg.qr(Z)
            block = np.rint((Z * spec) @ Q.T)
            block[-1] -= block.sum(axis=0)  # every column sums to 0 exactly
            H[np.ix_(where, cols)] = block
        S = np.linalg.svd(H, compute_uv=False)
        if not (np.all(S[:-1] / S[1:] >= 1.1) and S[0] / S[1] >= 1.2 and S[1] / S[2] >= 1.2):
            continue
        values = np.real(np.linalg.eig(np.cov(H, rowvar=False))[0])
        if list(np.argsort(values)[::-1][:2]) != [0, 1]:  # out of order, as built
            return H
    raise RuntimeError("no matrix with eig out of order was drawn")  # never seen in 10⁴ draws


def _projection(H: np.ndarray, *, centre: bool = True) -> np.ndarray:
    Hc = H - H.mean(axis=0) if centre else H
    _, _, Vt = np.linalg.svd(Hc, full_matrices=False)
    return Hc @ Vt[:2].T


def _align(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Flip each column of `got` to the sign that best matches `ref`."""
    signs = np.where(np.sum(got * ref, axis=0) < 0, -1.0, 1.0)
    return got * signs


def _matches(got: np.ndarray, cand: np.ndarray) -> bool:
    return got.shape == cand.shape and bool(
        np.allclose(_align(got, cand), cand, rtol=RTOL, atol=ATOL * float(np.abs(cand).max()))
    )


_LAST_TWO_FR = (
    "ce sont les deux DERNIÈRES composantes (plus petite variance) : np.linalg.eigh renvoie "
    "les valeurs propres par ordre croissant, et np.linalg.eig ne trie pas ses valeurs propres ; "
    "triez-les par ordre décroissant (np.argsort(valeurs)[::-1]) ou utilisez la SVD, dont les "
    "valeurs singulières sont triées par ordre décroissant"
)
_LAST_TWO_EN = (
    "these are the two LAST components (smallest variance): np.linalg.eigh returns the "
    "eigenvalues in increasing order, and np.linalg.eig does not sort its eigenvalues; sort them "
    "in decreasing order (np.argsort(values)[::-1]) or use the SVD, whose singular values are "
    "sorted in decreasing order"
)


def _wrong_variants(H: np.ndarray) -> list[tuple[np.ndarray, str, str]]:
    Hc = H - H.mean(axis=0)
    U, S, Vt = np.linalg.svd(Hc, full_matrices=False)
    # Centred with the mean of ALL the entries, a scalar (H − H.mean()): right only when every
    # column has the same mean (the public example's), wrong on the shifted matrix (blind round 21).
    Hg = H - H.mean()
    _, _, Vt_g = np.linalg.svd(Hg, full_matrices=False)
    return [
        (
            Hg @ Vt_g[:2].T,
            "H est centrée avec la moyenne de TOUS ses coefficients, un seul nombre (H.mean()) : "
            "chaque colonne (chaque neurone) a sa propre moyenne ; retranchez la moyenne de chaque "
            "colonne, Hc = H − H.mean(axis=0), avant la SVD",
            "H is centred with the mean of ALL its entries, a single number (H.mean()): each "
            "column (each unit) has its own mean; subtract the mean of each column, "
            "Hc = H − H.mean(axis=0), before the SVD",
        ),
        (
            _projection(H, centre=False),
            "vous n'avez pas centré H : retranchez la moyenne des lignes (H − H.mean(axis=0)) "
            "avant la SVD et avant de projeter",
            "you did not centre H: subtract the mean row (H − H.mean(axis=0)) before the SVD "
            "and before projecting",
        ),
        (
            H @ Vt[:2].T,
            "la projection part de H et non de H centrée : projetez Hc = H − H.mean(axis=0)",
            "the projection starts from H, not from the centred H: project Hc = H − H.mean(axis=0)",
        ),
        (
            Hc @ Vt[-2:][::-1].T,
            _LAST_TWO_FR,
            _LAST_TWO_EN,
        ),
        (
            Hc @ Vt[-2:].T,
            _LAST_TWO_FR,
            _LAST_TWO_EN,
        ),
        (
            U[:, :2],
            "U[:, :2] seul est normalisé : la projection vaut U[:, :2] * S[:2] (= Hc @ Vt[:2].T)",
            "U[:, :2] alone is normalised: the projection is U[:, :2] * S[:2] (= Hc @ Vt[:2].T)",
        ),
        (
            Hc @ Vt[:, :2],
            "les directions principales sont les LIGNES de Vt : Hc @ Vt[:2].T, pas Hc @ Vt[:, :2]",
            "the principal directions are the ROWS of Vt: Hc @ Vt[:2].T, not Hc @ Vt[:, :2]",
        ),
        (
            (Hc @ Vt[:2].T)[:, ::-1],
            "les deux colonnes sont dans le mauvais ordre : la 1re composante est celle de plus "
            "grande variance",
            "the two columns are in the wrong order: the 1st component has the largest variance",
        ),
    ]


def _other_components(got: np.ndarray, H: np.ndarray) -> tuple[int, int] | None:
    """(i, j) when the student's columns are the projections on principal components i and j
    (0-based, by decreasing variance, signs free), other than (0, 1); None otherwise."""
    Hc = H - H.mean(axis=0)
    _, _, Vt = np.linalg.svd(Hc, full_matrices=False)
    for i in range(len(Vt)):
        for j in range(len(Vt)):
            if i != j and (i, j) != (0, 1) and _matches(got, Hc @ Vt[[i, j]].T):
                return i, j
    return None


_STALE_FR = (
    "projection_acp(H) dépend des appels précédents : juste après un appel sur une autre "
    "matrice de même forme, le résultat pour H est faux, et il est juste après un appel sur une "
    "matrice d'une autre largeur ; la moyenne ou les composantes d'un appel précédent sont "
    "réutilisées (gardées dans une variable globale, un cache, un « fit » fait une fois) : à "
    "chaque appel, centrez H avec SA moyenne et faites la SVD de CETTE matrice, sans rien garder "
    "d'un appel à l'autre"
)
_STALE_EN = (
    "projection_acp(H) depends on the previous calls: right after a call on another matrix of "
    "the same shape, the result for H is wrong, and it is right after a call on a matrix of "
    "another width; the mean or the components of a previous call are reused (kept in a global "
    "variable, a cache, a « fit » done once): at every call, centre H with ITS mean and take "
    "the SVD of THIS matrix, keeping nothing from one call to the next"
)


def _stale(submission, H: np.ndarray, wider: np.ndarray) -> bool:
    """Premise of _STALE_FR: called again right after a matrix of another width (which makes a
    cache keyed on the width or the shape fit again), the answer for H is right."""
    submission.call("projection_acp", wider)
    again = as_array(submission.call("projection_acp", H), "projection_acp(H)", allow_nan=True)
    return _matches(again, _projection(H))


def _check(submission, H: np.ndarray, what_fr: str, what_en: str,
           wider: np.ndarray | None = None) -> None:
    """`wider`: a matrix of another width, to tell an answer that keeps state from one call to
    the next (H is then called right after another matrix of its shape)."""
    n, h = H.shape
    expected = _projection(H)
    got = as_array(
        submission.call("projection_acp", H),
        f"projection_acp(H) pour {what_fr}",
        allow_nan=True,
    )
    if got.shape != (n, 2):
        raise CheckFailed(
            f"projection_acp(H) pour {what_fr} : le résultat n'est pas de forme (n, 2) pour H "
            "de forme (n, h) ; une ligne par ligne de H, une colonne par composante",
            f"projection_acp(H) for {what_en}: the result is not of shape (n, 2) for H of shape "
            "(n, h); one row per row of H, one column per component",
        )
    hint_fr = "centrez H, SVD Hc = U S Vᵀ, puis Hc @ Vt[:2].T"
    hint_en = "centre H, SVD Hc = U S Vᵀ, then Hc @ Vt[:2].T"
    if not _matches(got, expected) and wider is not None and got.shape == (n, 2) and _stale(submission, H, wider):
        hint_fr, hint_en = _STALE_FR, _STALE_EN
    elif not _matches(got, expected):
        for cand, fr, en in _wrong_variants(H):
            if _matches(got, cand) and not _matches(cand, expected):
                hint_fr, hint_en = fr, en
                break
        else:
            pair = _other_components(got, H)
            if pair is not None:
                i, j = pair
                hint_fr = (
                    f"vos deux colonnes sont les projections sur les composantes principales "
                    f"n°{i + 1} et n°{j + 1} (par variance décroissante), pas sur les deux "
                    "premières : np.linalg.eig ne trie pas ses valeurs propres ; triez-les par "
                    "ordre décroissant (ordre = np.argsort(valeurs)[::-1], vecteurs[:, ordre]) "
                    "ou utilisez la SVD, dont les valeurs singulières sont triées"
                )
                hint_en = (
                    f"your two columns are the projections on principal components no. {i + 1} "
                    f"and no. {j + 1} (by decreasing variance), not on the first two: "
                    "np.linalg.eig does not sort its eigenvalues; sort them in decreasing order "
                    "(order = np.argsort(values)[::-1], vectors[:, order]) or use the SVD, whose "
                    "singular values are sorted"
                )
    assert_close(
        _align(got, expected),
        expected,
        name=f"projection_acp(H) pour {what_fr} (au signe près de chaque colonne)",
        rtol=RTOL,
        atol=ATOL * float(np.abs(expected).max()),
        hint_fr=hint_fr,
        hint_en=hint_en,
    )


@pytest.mark.item("pca", points=1)
def test_projection_acp_centred_matrix(submission, rng):
    H = _matrix(rng, offset=False)
    _check(
        submission,
        H,
        "une matrice H du correcteur de moyenne nulle",
        "a zero-mean matrix H of the grader's",
    )
    # The largest variances on the last features, where np.linalg.eig lists its eigenvalues
    # out of order (an unsorted eig passes the matrix above, whose eig comes out sorted).
    _check(
        submission,
        _eig_unsorted_matrix(rng),
        "une autre matrice H du correcteur de moyenne nulle, dont les plus grandes variances "
        "sont sur les dernières colonnes",
        "another zero-mean matrix H of the grader's, with the largest variances on the last "
        "columns",
    )


@pytest.mark.item("pca", points=1)
def test_projection_acp_shifted_matrix(submission, rng):
    H = _matrix(rng, offset=True)
    n, h = H.shape
    # The statement: "vos fonctions ne doivent pas ... dépendre de variables globales". Called on
    # purpose, at every variant, right after another shifted matrix of the SAME shape (itself
    # after one of another width): a mean and components kept from a previous call (a « fit »
    # cached in a global, refitted when the width changes) project H wrong (blind round 19).
    wider = _matrix(rng, offset=True, n=n, h=4 + (h - 4 + int(rng.integers(1, 12))) % 12)
    submission.call("projection_acp", wider)
    submission.call("projection_acp", _matrix(rng, offset=True, n=n, h=h))
    _check(
        submission,
        H,
        "une matrice H du correcteur dont la moyenne des lignes est loin de 0, juste après un "
        "appel sur une autre matrice de même forme",
        "a matrix H of the grader's whose mean row is far from 0, right after a call on another "
        "matrix of the same shape",
        wider=wider,
    )
    # Right values from `H -= H.mean(axis=0)` too: the statement's rule is checked on its own.
    assert_arguments_untouched(
        submission, "projection_acp", (H,), {0: "H"},
        hint_fr="centrez une copie : Hc = H − H.mean(axis=0), pas H -= …",
        hint_en="centre a copy: Hc = H − H.mean(axis=0), not H -= ...",
    )
