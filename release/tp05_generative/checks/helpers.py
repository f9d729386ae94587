"""TP05's code shared by its public and hidden checks."""

import numpy as np

from autograder.checks import (
    TORCH_SHAPE_ERRORS,
    CheckFailed,
    LibraryGuard,
    StudentError,
    SubmissionError,
    Tensor,
    kernel_side,
)

# Question 2: the cross-entropy through a log-softmax, "sans appeler F.cross_entropy ni
# F.nll_loss". Switched off (and their nn.Module forms) while the grader calls entropie_croisee.
GUARD = LibraryGuard(
    helper="_tp05_sans_entropie_croisee",
    marker="TP05_PERTE_INTERDITE",
    targets=(
        ("torch.nn.functional.cross_entropy", "F.cross_entropy"),
        ("torch.nn.functional.nll_loss", "F.nll_loss"),
        ("torch.nn.CrossEntropyLoss.forward", "nn.CrossEntropyLoss"),
        ("torch.nn.NLLLoss.forward", "nn.NLLLoss"),
    ),
    hint_fr="l'énoncé demande de passer par un log-softmax SANS appeler F.cross_entropy ni "
    "F.nll_loss : calculez log_softmax(logits) (torch.logsumexp ou F.log_softmax) puis la moyenne "
    "de −log p[i, y_i] ; le correcteur désactive ces pertes de PyTorch pendant qu'il appelle "
    "votre fonction",
    hint_en="the statement asks to go through a log-softmax WITHOUT calling F.cross_entropy or "
    "F.nll_loss: compute log_softmax(logits) (torch.logsumexp or F.log_softmax), then the mean of "
    "−log p[i, y_i]; the grader switches these PyTorch losses off while it calls your function",
)


# The grader's answers that the loss and the training use: each item is graded against
# them, so that a mistake in q_echantillon or perte_debruitage costs points once.
# Each is named as the notebook's answer it stands for, so that an error in a student's call
# (a missing argument) reads the same as with their own function.
@kernel_side
def q_echantillon(x0, t, bruit, alphas_bar):
    import torch

    a = alphas_bar[t].unsqueeze(1)
    return torch.sqrt(a) * x0 + torch.sqrt(1.0 - a) * bruit


@kernel_side(uses=(q_echantillon,))
def perte_debruitage(modele, x0, t, bruit, alphas_bar):
    import torch.nn.functional as F

    return F.mse_loss(modele(q_echantillon(x0, t, bruit, alphas_bar), t), bruit)


#: What the training is run with: the grader's q_echantillon and loss.
REFERENCES = {"q_echantillon": q_echantillon, "perte_debruitage": perte_debruitage}


# ---------------------------------------------------------------- a size written in

#: The sizes the notebook itself calls the answers with: a size written in the code is one of
#: these (X_SPIRALE and the test batch have 2000 points, the training batches 128, the
#: sampling demo 500 samples with T = 1000 steps).
NOTEBOOK_ROWS = (2000, 128, 500)
NOTEBOOK_T = 1000


@kernel_side
def zero_denoiser():
    """A denoiser that predicts no noise: enough to run a sampler at another size."""
    import torch

    class _Tp05Nul(torch.nn.Module):
        def forward(self, x, t):
            return torch.zeros_like(x)

    return _Tp05Nul()


def _runs(submission, name: str, *args) -> bool:
    """Whether the student's `name` runs (raises nothing) on these arguments."""
    try:
        submission.call(name, *args)
    except SubmissionError:
        return False
    return True


def q_size_failure(submission, exc: SubmissionError, n: int) -> Exception:
    """The failure for a q_echantillon that raised a shape error on `n` grader rows: when it runs
    on as many rows as the notebook's calls, the number of rows is written in the code; else
    the error as it was. The premise is checked (the function runs at the notebook's size)."""
    if not isinstance(exc, StudentError) or exc.ename not in TORCH_SHAPE_ERRORS:
        return exc
    rng = np.random.default_rng(0)
    ab = Tensor(np.cumprod(1.0 - np.linspace(1e-4, 0.02, NOTEBOOK_T)))

    def args(rows):  # steps away from both ends: an index off by one runs at any size
        return (Tensor(rng.normal(size=(rows, 2))), Tensor(rng.integers(1, NOTEBOOK_T // 2, size=rows)),
                Tensor(rng.normal(size=(rows, 2))), ab)

    if _runs(submission, "q_echantillon", *args(n)):
        return exc  # it runs on n rows of other values: the error is not about the size
    for rows in NOTEBOOK_ROWS:
        if rows == n:
            continue
        if _runs(submission, "q_echantillon", *args(rows)):
            return CheckFailed(
                f"q_echantillon lève {exc.ename} pour N = {n} lignes mais marche pour N = {rows} : "
                f"une taille N écrite en dur (view({rows}, 1) ?) ; prenez les formes des arguments, "
                "alphas_bar[t].unsqueeze(1) ou .view(-1, 1)",
                f"q_echantillon raises {exc.ename} for N = {n} rows but runs for N = {rows}: a size "
                f"N written in the code (view({rows}, 1)?); take the shapes of the arguments, "
                "alphas_bar[t].unsqueeze(1) or .view(-1, 1)",
            )
    return exc


def sampler_size_failure(submission, exc: SubmissionError, n: int, T: int) -> Exception:
    """The failure for an echantillonner that raised a shape or index error for n samples and
    len(betas) = T: when it runs with the notebook's n or T instead, that size is written in the
    code (the premise is checked by running it, with a denoiser that predicts no noise)."""
    if not isinstance(exc, StudentError) or exc.ename not in TORCH_SHAPE_ERRORS:
        return exc
    model = zero_denoiser.call(submission)
    betas = Tensor(np.linspace(1e-3, 0.1, T))
    course = Tensor(np.linspace(1e-4, 0.02, NOTEBOOK_T))
    if _runs(submission, "echantillonner", model, n, betas, 0):
        return exc  # it runs at this size with another model: the error is not about the size
    tries = [(rows, betas, "n") for rows in NOTEBOOK_ROWS if rows != n]
    if T != NOTEBOOK_T:
        tries.append((n, course, "T"))
        tries += [(rows, course, "n et T") for rows in NOTEBOOK_ROWS if rows != n]
    for rows, sched, which in tries:
        if not _runs(submission, "echantillonner", model, rows, sched, 0):
            continue
        fr, en = [], []
        if "n" in which.split():
            fr.append(f"le nombre d'échantillons n ({rows} écrit en dur ? utilisez l'argument n, "
                      "torch.randn(n, 2, generator=gen))")
            en.append(f"the number of samples n ({rows} written in? use the n argument, "
                      "torch.randn(n, 2, generator=gen))")
        if "T" in which.split():
            fr.append(f"le nombre de pas T ({NOTEBOOK_T} écrit en dur, range({NOTEBOOK_T - 1}, −1, −1) ? "
                      "la boucle va de len(betas) − 1 à 0)")
            en.append(f"the number of steps T ({NOTEBOOK_T} written in, range({NOTEBOOK_T - 1}, -1, -1)? "
                      "the loop goes from len(betas) − 1 down to 0)")
        return CheckFailed(
            f"echantillonner lève {exc.ename} pour n = {n} et len(betas) = {T}, mais marche "
            f"avec la taille du notebook : une taille écrite en dur, " + " et ".join(fr),
            f"echantillonner raises {exc.ename} for n = {n} and len(betas) = {T}, but runs with "
            "the notebook's size: a size written in the code, " + " and ".join(en),
        )
    return exc


# ---------------------------------------------------------------- samples clipped


def piles_at_a_bound(values) -> bool:
    """Whether values drawn from a continuous law pile up on a bound: at least 3 entries equal to
    their maximum, or to their minimum (x.clamp(−1, 1), torch.clip, np.clip). Reverse-process
    samples never tie there otherwise. The premise of a sampler's "do not clip" hint."""
    v = np.asarray(values, dtype=float).reshape(-1)
    v = v[np.isfinite(v)]
    if v.size < 10:
        return False
    return int(np.sum(v == v.max())) >= 3 or int(np.sum(v == v.min())) >= 3


CLIP_HINT = (
    "vos échantillons s'accumulent sur une borne (plusieurs valeurs valent exactement le même "
    "maximum ou minimum : x.clamp, torch.clip ?) ; la question 9 renvoie les x_0 du processus "
    "arrière tels quels, sans les ramener dans un intervalle (les données, la spirale, ne sont "
    "pas dans [−1, 1] : ce n'est pas une image)",
    "your samples pile up on a bound (several values equal exactly the same maximum or minimum: "
    "x.clamp, torch.clip?); question 9 returns the x_0 of the reverse process as they are, "
    "without bringing them into an interval (the data, the spiral, are not in [−1, 1]: this is "
    "not an image)",
)
