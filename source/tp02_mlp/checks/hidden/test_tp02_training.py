"""Hidden check, part 4: the student's mini-batch SGD loop trains MLPDeuxCouches on digits.

The grader makes its own split of scikit-learn's bundled `load_digits`, with its pixels in
another fixed order (a loop on the notebook's globals learns the usual one), sends only the
training part, times the call, then runs the returned module's forward on the test
images (inputs only) and computes the accuracy itself: the test labels never enter the
kernel. The solution reaches 0.95–0.97 on this split (min 0.948 over 30 seeds); full
marks from 0.88, half from 0.75.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checks import (
    CheckFailed,
    Handle,
    Partial,
    Ref,
    StudentError,
    SubmissionError,
    TimeBudget,
    as_float,
    as_module,
    assert_arguments_untouched,
    assert_seed_used,
    check_epoch_batches,
    check_fresh_gradients,
    check_reshuffled_epochs,
    check_seeded_order,
    digits_split,
    kernel_side,
    module_outputs,
    note_fresh_gradients,
    record_margin,
    score_threshold,
    with_references,
)

from ..public.helpers import MLP_REFERENCE

HIDDEN, LR, EPOCHS, BATCH = 64, 0.1, 30, 32
SPLIT_SEED = 2026  # fixed split, different from the notebook's
FULL, PARTIAL = 0.88, 0.75
SECONDS = 30.0  # the solution takes about 1 s
PIXEL_ORDER = np.random.default_rng(SPLIT_SEED).permutation(64)

@kernel_side
def grad_norms(model, X, y):
    """Run in the kernel after training: the gradient left in .grad by the last step, against a
    fresh gradient of the mean cross-entropy on one batch. With zero_grad, they have the same
    size; without, .grad holds the sum of every batch's gradient."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    if not params or any(p.grad is None for p in params):
        return None
    stored = float(torch.sqrt(sum((p.grad.detach().double() ** 2).sum() for p in params)))
    out = model(torch.as_tensor(X, dtype=params[0].dtype))
    loss = torch.nn.functional.cross_entropy(out, torch.as_tensor(y, dtype=torch.long))
    fresh = torch.autograd.grad(loss, params, allow_unused=True)
    fresh = float(torch.sqrt(sum((g.detach().double() ** 2).sum() for g in fresh if g is not None)))
    return [stored, fresh]


def _accumulated_gradients(submission, model: Handle, X: np.ndarray, y: np.ndarray) -> float | None:
    """How many times larger the stored .grad is than one batch's gradient (None: unknown)."""
    try:
        norms = grad_norms.call(submission, model, X, y)
    except StudentError:
        return None
    if not isinstance(norms, list) or len(norms) != 2:
        return None
    stored = as_float(norms[0], "norme du gradient stocké", allow_nan=True)
    fresh = as_float(norms[1], "norme du gradient d'un lot", allow_nan=True)
    if not np.isfinite(fresh) or fresh <= 0:
        return None
    return float("inf") if not np.isfinite(stored) else stored / fresh


_ZERO_GRAD_FR = (
    "les gradients stockés dans .grad après l'entraînement sont {ratio:.0f} fois plus grands "
    "que le gradient d'un lot : ils s'accumulent d'un lot à l'autre ; appelez "
    "optimiseur.zero_grad() avant perte.backward() à chaque lot"
)
_ZERO_GRAD_EN = (
    "the gradients stored in .grad after training are {ratio:.0f} times larger than one "
    "batch's gradient: they accumulate from one batch to the next; call "
    "optimiseur.zero_grad() before perte.backward() for every batch"
)
_GENERIC_FR = (
    "vérifiez chaque lot : optimiseur.zero_grad(), perte = cross_entropy(modele(X[lot]), "
    "y[lot]), perte.backward(), optimiseur.step() ; que tous les lots de chaque époque sont "
    "parcourus, que y[lot] correspond à X[lot], et que le modèle s'entraîne sur les arguments "
    "X_train, y_train reçus, tels quels (pas sur des variables du notebook, sans autre "
    "normalisation)"
)
_GENERIC_EN = (
    "check every batch: optimiseur.zero_grad(), perte = cross_entropy(modele(X[lot]), "
    "y[lot]), perte.backward(), optimiseur.step(); that every batch of every epoch is visited, "
    "that y[lot] matches X[lot], and that the model trains on the X_train, y_train arguments "
    "it receives, as they are (not on notebook variables, no further normalisation)"
)


def _summed_loss(submission, X_train, y_train, seed) -> bool:
    """Premise of the "summed loss" hint over the zero_grad one (both leave a large .grad):
    one epoch on grader examples, at a small lr, and its last step is |B| times the statement's."""
    rng = np.random.default_rng(int(seed % 2**31))
    n = 10 * BATCH + 7
    idx = rng.choice(len(X_train), size=n, replace=False)
    X = np.hstack([X_train[idx], (np.arange(n) / 1000.0)[:, None]])
    try:
        run = _recorded(submission, X, y_train[idx], LR / 10, 1, BATCH, int(rng.integers(0, 2**31 - 1)))
    except (CheckFailed, StudentError):
        return False
    return _last_step_fault(run.get("last_step"), X, y_train[idx], BATCH, LR / 10) == "summed"


@pytest.mark.item("sgd_digits", points=1.5)  # 0.5 to test_entrainer_sgd_batches_cover_the_epoch, 0.5 to test_entrainer_sgd_uses_seed_and_lr:
# the statement's loop (SGD with lr, manual_seed, a generator made once, every batch) is the question
def test_entrainer_sgd_reaches_test_accuracy(submission, seed):
    """The returned model's accuracy on the grader's test images, full marks from FULL.

    A statistical band (the accuracy depends on the seed the grader draws, and that seed changes
    with the student's code): the statement's loop reaches 0.957 ± 0.005 on this split (150
    random seeds: minimum 0.939, 1 % quantile 0.944), FULL = 0.88 sits 16 standard deviations
    below its mean and 0.059 below the lowest value seen: a correct loop's false-failure
    probability is negligible (under 1e-9 on a normal tail; none in 150 draws)."""
    X_train, X_test, y_train, y_test = digits_split(SPLIT_SEED)
    # The pixels in another fixed order, train and test alike: an MLP learns them as well in any
    # order (its fc1 is drawn i.i.d.), but a loop training on the notebook's globals (X_digits)
    # instead of its arguments learns the usual order, and fails on these test images.
    X_train, X_test = X_train[:, PIXEL_ORDER], X_test[:, PIXEL_ORDER]
    with TimeBudget(SECONDS, what_fr="l'entraînement", what_en="training", submission=submission) as budget:
        value = with_references(
            submission,
            MLP_REFERENCE,
            "entrainer_sgd",
            X_train,
            y_train,
            hidden=HIDDEN,
            lr=LR,
            epochs=EPOCHS,
            batch_size=BATCH,
            seed=int(seed % 2**31),
            timeout=90,
        )
    model = as_module(
        submission,
        value,
        "entrainer_sgd",
        expected=(
            "doit renvoyer le modèle entraîné (un nn.Module)",
            "must return the trained model (an nn.Module)",
        ),
    )
    logits = module_outputs(
        model,
        X_test,
        "logits du modèle sur les images de test du correcteur",
        method="forward",
        hint=(
            "le modèle reçoit des images aplaties de forme (N, 64)",
            "the model receives flattened images of shape (N, 64)",
        ),
    )
    if logits.shape != (len(X_test), 10):
        raise CheckFailed(
            "logits du modèle sur les images de test du correcteur : la sortie n'est pas de "
            "forme (N, 10), une ligne de 10 logits par image",
            "model logits on the grader's test images: the output is not of shape (N, 10), "
            "one row of 10 logits per image",
        )
    ratio = _accumulated_gradients(submission, model, X_train[: BATCH * 2], y_train[: BATCH * 2])
    if ratio is not None and ratio > 10 and _summed_loss(submission, X_train, y_train, seed):
        # A loss summed over the batch also leaves a .grad |B| times one batch's mean gradient.
        hint_fr, hint_en = _STEP_HINTS["summed"]
    elif ratio is not None and ratio > 10:
        hint_fr = _ZERO_GRAD_FR.format(ratio=min(ratio, 1e9))
        hint_en = _ZERO_GRAD_EN.format(ratio=min(ratio, 1e9))
    elif not np.all(np.isfinite(logits)):
        hint_fr = (
            "les logits contiennent des nan/inf : l'entraînement a divergé (pas trop grand, "
            "gradients accumulés faute de zero_grad ?)"
        )
        hint_en = (
            "the logits hold nan/inf: training diverged (step too large, gradients "
            "accumulated without zero_grad?)"
        )
    else:
        hint_fr, hint_en = _GENERIC_FR, _GENERIC_EN
    with np.errstate(invalid="ignore"):
        accuracy = float((np.nan_to_num(logits, nan=-np.inf).argmax(axis=1) == y_test).mean())
    score_threshold(
        accuracy,
        full=FULL,
        partial=[(PARTIAL, 0.5)],
        what_fr="précision sur l'ensemble de test du correcteur",
        what_en="accuracy on the grader's test set",
        hint=(hint_fr, hint_en),
    )
    record_margin("training time of entrainer_sgd (s)", budget.elapsed, SECONDS,
                  higher_is_better=False)
    if budget.elapsed > SECONDS:
        raise Partial(
            0.5,
            f"précision {accuracy:.3f} atteinte, mais l'entraînement a pris {budget.elapsed:.1f} s, "
            f"au-delà du budget de {SECONDS:.0f} s (la solution prend environ 1 s) ; évitez les "
            "boucles Python sur les exemples : un lot est traité en un seul appel du modèle",
            f"accuracy {accuracy:.3f} reached, but training took {budget.elapsed:.1f} s, over the "
            f"{SECONDS:.0f} s budget (the solution takes about 1 s); avoid Python loops over the "
            "examples: a batch is processed in a single call of the model",
        )


@kernel_side(uses=(note_fresh_gradients,))
def record_batches(entrainer_sgd, X, y, hidden, lr, epochs, batch_size, seed):
    """Run with the reference module in place (with_references): a subclass of the notebook's
    MLPDeuxCouches records which training examples each batch holds, read from an index column
    the grader appends to X (index / 1000: exact even in float32), and, at each backward,
    whether its gradients were added to the previous batch's (no zero_grad before it)."""
    import torch

    g = entrainer_sgd.__globals__  # the notebook's namespace, where entrainer_sgd looks it up
    base = g["MLPDeuxCouches"]
    seen, avant, premier, cumuls = [], [], [], []

    class _Enregistreur(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            note_fresh_gradients(self, cumuls)

        def forward(self, x):
            if torch.is_grad_enabled():  # evaluation under no_grad is not a batch
                if not seen:  # the rows of the first batch, to tell whether they are X's rows
                    premier.append(torch.as_tensor(x).detach().double()[:40].tolist())
                seen.append(torch.round(torch.as_tensor(x)[:, -1].detach().double() * 1000).long().tolist())
                avant.append([p.detach().double().clone() for p in self.parameters()])
            return super().forward(x)

    g["MLPDeuxCouches"] = _Enregistreur
    try:
        modele = entrainer_sgd(X, y, hidden=hidden, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
    finally:
        g["MLPDeuxCouches"] = base
    try:  # the trained weights, to tell whether lr and seed were used
        poids = [float(v) for v in modele.fc1.weight.detach().double().flatten()]  # every unit: one can be a dead ReLU
        largeur = int(modele.fc1.weight.shape[0])  # the hidden width of the returned model
    except Exception:
        poids, largeur = None, None
    # The last training step: the weights before the last batch (not a pass over every
    # example) and the returned weights, for the grader to compare with -lr * its gradient.
    pas = None
    try:
        lots = [i for i, b in enumerate(seen) if len(b) < len(X)]
        apres = [p.detach().double() for p in modele.parameters()]
        if epochs == 1 and [tuple(p.shape) for p in apres] == [tuple(p.shape) for p in avant[lots[-1]]]:
            pas = {"ids": [seen[i] for i in lots],
                   "before": [[p.flatten().tolist() for p in avant[i]] for i in lots],
                   "after": [p.flatten().tolist() for p in apres]}
    except Exception:
        pas = None
    try:  # fc1's weights before the first batch: the initial weights torch.manual_seed(seed) fixes
        init = [float(v) for v in avant[0][0].flatten()] if avant else None
    except Exception:
        init = None
    return {"seen": seen, "weights": poids, "hidden": largeur, "last_step": pas,
            "first_rows": premier[0] if premier else None, "cumuls": cumuls, "init": init}


def _runs_on_64_columns(submission, X, y, lr, bs, seed, hidden) -> bool:
    """Premise of the "hard-coded 64" hint: the call that failed on the grader's X (not 64
    columns wide) runs, one epoch, on the same examples cut to their first 64 columns."""
    if X.ndim != 2 or X.shape[1] == 64:
        return False
    try:
        with_references(
            submission, MLP_REFERENCE, "entrainer_sgd", np.ascontiguousarray(X[:, :64]), y,
            hidden=hidden, lr=lr, epochs=1, batch_size=bs, seed=seed, timeout=60,
        )
    except SubmissionError:
        return False
    return True


@pytest.mark.item("sgd_digits", points=0.5)
def test_entrainer_sgd_batches_cover_the_epoch(submission, rng):
    """One epoch: batches of at most batch_size examples, each example exactly once, the
    incomplete last batch included (the statement: "parcourez **tous** les lots"; n is never a
    multiple of batch_size). Mini-batches that grow (ordre[debut : debut * batch_size]), or a
    loop that drops the last batch, still reach the accuracy bar."""
    X_train, _, y_train, _ = digits_split(SPLIT_SEED)
    # batch_size below 32 (a loop that keeps 32 shows here) and an incomplete last batch of
    # 2 to batch_size / 3 examples, always: its step shows how its loss is averaged.
    bs = int(rng.integers(20, 31))
    n = bs * (300 // bs) + int(rng.integers(2, bs // 3 + 1))
    idx = rng.choice(len(X_train), size=n, replace=False)
    X = np.hstack([X_train[idx], (np.arange(n) / 1000.0)[:, None]])
    seed = int(rng.integers(0, 2**31 - 1))
    one_run = _recorded(submission, X, y_train[idx], LR, 1, bs, seed)
    batches = one_run["seen"]
    what = "entrainer_sgd(X_train, y_train, epochs=1, batch_size=…) sur des exemples du correcteur"
    what_en = "entrainer_sgd(X_train, y_train, epochs=1, batch_size=...) on grader examples"
    _check_inputs_are_the_arguments(one_run.get("first_rows"), X, what, what_en)
    two = _recorded(submission, X, y_train[idx], LR, 2, bs, seed)["seen"]
    _check_epochs_used(batches, two, n, bs, what, what_en)
    if isinstance(batches, list) and not batches and isinstance(two, list) and two:
        # range(epochs - 1): nothing with epochs=1 (not "never called": it is, with epochs=2).
        raise CheckFailed(
            f"{what} : aucun lot avec epochs=1, mais des lots avec epochs=2 : la boucle fait une "
            "époque de moins que demandé ; for epoque in range(epochs)",
            f"{what_en}: no batch with epochs=1, but batches with epochs=2: the loop runs one "
            "epoch fewer than asked; for epoch in range(epochs)",
        )
    check_epoch_batches(batches, n, bs, what, what_en, ("le modèle", "the model"), every_example=True)
    # zero_grad before every batch's backward (the statement's loop): once per epoch, or never,
    # adds each batch's gradients to the previous ones'; the training may still reach the bar.
    if isinstance(one_run.get("cumuls"), list):
        check_fresh_gradients(one_run["cumuls"], "entrainer_sgd", unit="lot")
    # Two epochs: the examples are shuffled, and shuffled again at each epoch (a loop without
    # shuffling, or one permutation drawn before the loop, still reaches the accuracy bar).
    _check_last_step(one_run.get("last_step"), X, y_train[idx], bs, what, what_en)
    batches = two
    check_reshuffled_epochs(batches, what, what_en, "entrainer_sgd(X_train, y_train, epochs=2, batch_size=…)")


def _check_inputs_are_the_arguments(rows: object, X: np.ndarray, what: str, what_en: str) -> None:
    """The model must receive rows of the X_train it is given, as they are (the statement:
    convert them to tensors). Rows of another width, or rows found nowhere in X, are data the
    function did not receive (the notebook's globals); X's rows times a constant are inputs
    normalised again (X_train is already in [0, 1]). The grader's accuracy check runs the model
    on raw test images: either fault trains it on other inputs."""
    try:
        R = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):
        return
    if R.ndim != 2 or not len(R) or not np.all(np.isfinite(R)):
        return
    scale = max(1.0, float(np.abs(X).max()))
    if R.shape[1] == X.shape[1]:
        gaps = np.abs(R[:, None, :] - X[None, :, :]).max(axis=2).min(axis=1)
        if np.all(gaps <= 1e-5 * scale):
            return
        # The nearest row of X in direction, and the factor between them.
        norms = np.linalg.norm(X, axis=1) * np.linalg.norm(R, axis=1)[:, None]
        cos = (R @ X.T) / np.where(norms > 0, norms, np.inf)
        best = cos.argmax(axis=1)
        xb = X[best]
        factors = np.sum(R * xb, axis=1) / np.maximum(np.sum(xb * xb, axis=1), 1e-300)
        if (
            np.all(cos[np.arange(len(R)), best] > 1 - 1e-9)
            and np.ptp(factors) <= 1e-6 * np.abs(factors).max()
            and abs(float(factors[0]) - 1.0) > 1e-3
        ):
            raise CheckFailed(
                f"{what} : le modèle reçoit les exemples de X_train multipliés par une constante : "
                "X_train est déjà ramené dans [0, 1] (le notebook l'a divisé par 16) ; "
                "convertissez-le en tenseur tel quel, sans le normaliser à nouveau (la correction "
                "évalue le modèle sur des images de test non transformées)",
                f"{what_en}: the model receives the examples of X_train multiplied by a constant: "
                "X_train is already scaled to [0, 1] (the notebook divided it by 16); convert it "
                "to a tensor as it is, without normalising it again (the grader evaluates the "
                "model on untransformed test images)",
            )
    raise CheckFailed(
        f"{what} : le modèle ne reçoit pas les exemples du X_train passé en argument, tels quels : "
        "entraînez sur les arguments X_train et y_train reçus (convertis en tenseurs, sans autre "
        "transformation), pas sur des variables du notebook (X_digits, X_train global...)",
        f"{what_en}: the model does not receive the examples of the X_train argument, as they "
        "are: train on the X_train and y_train arguments you receive (converted to tensors, "
        "nothing else), not on notebook variables (X_digits, the global X_train...)",
    )


def _training_batches(batches: object, n: int) -> list[list[int]] | None:
    """The batches the model received, passes over the whole set (evaluation) left out."""
    if not isinstance(batches, list):
        return None
    return [[i for i in b if isinstance(i, int)] for b in batches
            if isinstance(b, list) and sorted(b) != list(range(n))]


def _check_epochs_used(one: object, two: object, n: int, bs: int, what: str, what_en: str) -> None:
    """Premise of the "batches overlap" message: with epochs=1, every example seen k >= 2 times,
    in batches of at most batch_size, is k epochs, not overlapping batches."""
    kept1, kept2 = _training_batches(one, n), _training_batches(two, n)
    if not kept1 or kept2 is None or max(len(b) for b in kept1) > bs:
        return
    seen1 = [i for b in kept1 for i in b]
    seen2 = [i for b in kept2 for i in b]
    if not seen1:
        return
    counts = np.bincount(np.clip(seen1, 0, n), minlength=n + 1)[:n]
    k = int(counts.min())
    if k >= 2 and np.all(counts == k):
        same = len(seen2) == len(seen1)
        raise CheckFailed(
            f"{what} : avec epochs=1, chaque exemple est vu {k} fois, soit {k} époques au lieu "
            "d'une" + (" (autant avec epochs=2) : l'argument epochs est ignoré" if same else "")
            + " ; for epoque in range(epochs), avec l'argument epochs",
            f"{what_en}: with epochs=1, every example is seen {k} times, i.e. {k} epochs instead "
            "of one" + (" (as many with epochs=2): the epochs argument is ignored" if same else "")
            + "; for epoch in range(epochs), with the epochs argument",
        )


def _check_last_step(step: object, X: np.ndarray, y: np.ndarray, bs: int, what: str, what_en: str) -> None:
    """Fails with the fault `_last_step_fault` names (accumulated gradients aside)."""
    fault = _last_step_fault(step, X, y, bs, LR)
    if fault in (None, "accumulated"):
        return  # no zero_grad: check_fresh_gradients said so, from the recorded backwards
    hint_fr, hint_en = _STEP_HINTS[fault]
    raise CheckFailed(f"{what} : {hint_fr}", f"{what_en}: {hint_en}")


_STEP_HINTS = {
    "divided": (
        "le pas du dernier lot, incomplet, est trop petit d'un facteur batch_size / |B| : la "
        "perte est divisée par batch_size au lieu de la taille du lot ; prenez la moyenne sur "
        "le lot (cross_entropy par défaut, ou somme / len(lot))",
        "the step of the incomplete last batch is too small by a factor batch_size / |B|: the "
        "loss is divided by batch_size instead of the batch's size; take the mean over the "
        "batch (cross_entropy's default, or sum / len(batch))",
    ),
    "summed": (
        "le pas du dernier lot est |B| fois trop grand : la perte est sommée sur le lot "
        "(reduction='sum') au lieu d'être moyennée ; (1/|B|) Σ, le défaut de cross_entropy",
        "the step of the last batch is |B| times too large: the loss is summed over the batch "
        "(reduction='sum') instead of averaged; (1/|B|) Σ, cross_entropy's default",
    ),
    "adam": (
        "les pas suivent torch.optim.Adam (réglé avec lr), pas la descente de gradient : la "
        "question demande une boucle SGD, torch.optim.SGD(modele.parameters(), lr=lr), dont le "
        "pas est −lr × le gradient de la perte moyenne du lot",
        "the steps follow torch.optim.Adam (set with lr), not gradient descent: the question asks "
        "for an SGD loop, torch.optim.SGD(modele.parameters(), lr=lr), whose step is −lr × the "
        "gradient of the batch's mean loss",
    ),
    "momentum": (
        "les pas suivent torch.optim.SGD avec un momentum (chaque pas ajoute une part du pas "
        "précédent) : la question demande la descente de gradient simple sur mini-lots, "
        "torch.optim.SGD(modele.parameters(), lr=lr) sans momentum, dont le pas est −lr × le "
        "gradient de la perte moyenne du lot",
        "the steps follow torch.optim.SGD with momentum (each step adds a share of the previous "
        "one): the question asks for plain mini-batch gradient descent, "
        "torch.optim.SGD(modele.parameters(), lr=lr) without momentum, whose step is −lr × the "
        "gradient of the batch's mean loss",
    ),
    "other": (
        "le pas du dernier lot n'est pas −lr × le gradient de la perte moyenne du lot : "
        "torch.optim.SGD(modele.parameters(), lr=lr), perte = cross_entropy(modele(X[lot]), "
        "y[lot]) (moyenne sur le lot), un seul optimiseur.step() par lot",
        "the step of the last batch is not −lr × the gradient of the batch's mean loss: "
        "torch.optim.SGD(modele.parameters(), lr=lr), loss = cross_entropy(model(X[batch]), "
        "y[batch]) (mean over the batch), one optimiser.step() per batch",
    ),
}


def _last_step_fault(step: object, X: np.ndarray, y: np.ndarray, bs: int, lr: float) -> str | None:
    """The statement's step on a batch B is -lr * gradient of (1/|B|) Σ_B loss: the last,
    incomplete batch too. Its recorded step (one epoch) is compared with the grader's (float64,
    the grader's MLPDeuxCouches in place, at the weights the model had before that batch): a
    loss summed then divided by batch_size makes it |B| / batch_size times too small, a summed
    loss |B| times too large. Gradients that accumulate (no zero_grad) give the sum of the
    epoch's batch gradients: check_fresh_gradients, from the recorded backwards, names that fault."""
    if not isinstance(step, dict):
        return None
    hidden, d = 16, X.shape[1]
    shapes = [(hidden, d), (hidden,), (10, hidden), (10,)]

    def tensors(values):
        arrays = [np.asarray(v, dtype=np.float64) for v in values]
        if len(arrays) != 4 or any(a.size != int(np.prod(sh)) for a, sh in zip(arrays, shapes, strict=True)):
            raise ValueError
        if not all(np.all(np.isfinite(a)) for a in arrays):
            raise ValueError
        return [a.reshape(sh) for a, sh in zip(arrays, shapes, strict=True)]

    try:
        batches = [[int(i) for i in b] for b in step["ids"]]
        befores = [tensors(v) for v in step["before"]]
        after = tensors(step["after"])
    except (KeyError, TypeError, ValueError):
        return None
    if not batches or len(batches) != len(befores) or any(
        not 0 < len(b) < len(X) or min(b) < 0 or max(b) >= len(X) for b in batches
    ):
        return None

    def gradient(ids, before):
        params = [torch.tensor(b, requires_grad=True) for b in before]
        xb = torch.tensor(X[ids].astype(np.float32).astype(np.float64))
        out = torch.relu(xb @ params[0].T + params[1]) @ params[2].T + params[3]
        loss = torch.nn.functional.cross_entropy(out, torch.tensor(y[ids], dtype=torch.long))
        return np.concatenate([g.numpy().ravel() for g in torch.autograd.grad(loss, params)])

    def minus_lr_grad(ids, before):
        return -lr * gradient(ids, before)

    def adam_last_step():
        """torch.optim.Adam's last step (default betas and eps, the same lr), its moments built
        from the gradients at the weights the model had before each batch."""
        m = v = 0.0
        for ids, before in zip(batches, befores, strict=True):
            g = gradient(ids, before)
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        t = len(batches)
        return -lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)

    expected = minus_lr_grad(batches[-1], befores[-1])
    got = np.concatenate([(a - b).ravel() for a, b in zip(after, befores[-1], strict=True)])

    def off(target: np.ndarray) -> float:
        norm = float(np.linalg.norm(target))
        return float(np.linalg.norm(got - target)) / norm if norm > 1e-12 else float("inf")

    if not np.linalg.norm(expected) > 1e-12:
        return None
    error = off(expected)
    if lr == LR:
        record_margin("last SGD step vs -lr * gradient of the mean loss (relative error)", error, 0.2,
                      higher_is_better=False)
    if error <= 0.2:
        return None
    steps = [minus_lr_grad(b, w) for b, w in zip(batches, befores, strict=True)]
    if off(sum(steps)) <= 0.2:
        return "accumulated"
    m = len(batches[-1])
    if off(expected * m / bs) <= 0.2:
        return "divided"
    if off(expected * m) <= 0.2:
        return "summed"
    if off(adam_last_step()) <= 0.2:
        return "adam"
    if _momentum_fits(off, steps):
        return "momentum"
    return "other"


#: Momentum coefficients tried for the "momentum" fault: every 0.01 from 0.05 to 0.99.
_MOMENTA = np.round(np.arange(0.05, 0.995, 0.01), 2)


def _momentum_fits(off, steps: list[np.ndarray]) -> bool:
    """Premise of the "momentum" hint (blind round 21: torch.optim.SGD(..., momentum=0.9)):
    the last step is torch.optim.SGD's with some momentum μ (dampening 0), classic
    (−lr·b_T, b_t = μ b_{t−1} + g_t, b_1 = g_1) or Nesterov (−lr·(g_T + μ b_T)), within the
    same 0.2 relative error as the plain step; `steps` are −lr·g_t for every batch of the
    epoch, each gradient taken at the weights the model had before its batch."""
    if len(steps) < 2:
        return False
    for mu in _MOMENTA:
        buffer = steps[0]
        for g in steps[1:]:
            buffer = mu * buffer + g
        if off(buffer) <= 0.2 or off(steps[-1] + mu * buffer) <= 0.2:
            return True
    return False


def _recorded(submission, X, y, lr, epochs, bs, seed, hidden=16) -> dict:
    record_batches.install(submission)
    try:
        out = with_references(
            submission, MLP_REFERENCE, "entrainer_sgd", Ref("entrainer_sgd"), X, y, hidden, lr, epochs, bs, seed,
            via=record_batches.ref_name, timeout=60,
        )
    except StudentError as exc:
        # The grader's examples have another width than 64: an error there, when the same call
        # runs on them cut to 64 columns, is a width written in the code (MLPDeuxCouches(64, ...),
        # .reshape(-1, 64)). The original text is left out: it gives the sizes of these hidden calls.
        if "mat1 and mat2" in exc.evalue or _runs_on_64_columns(submission, X, y, lr, bs, seed, hidden):
            raise CheckFailed(
                f"`entrainer_sgd` a levé {exc.ename} sur des exemples du correcteur qui n'ont pas "
                "64 colonnes, et s'exécute sur les mêmes exemples réduits à 64 colonnes : 64 est "
                "écrit en dur (MLPDeuxCouches(64, …), .reshape(-1, 64), .view(-1, 64)) ; la "
                "dimension d'entrée se lit sur X_train, MLPDeuxCouches(X_train.shape[1], hidden, 10), "
                "et X_train garde sa forme (N, D)",
                f"`entrainer_sgd` raised {exc.ename} on grader examples that do not have 64 "
                "columns, and runs on the same examples cut to 64 columns: 64 is hard-coded "
                "(MLPDeuxCouches(64, ...), .reshape(-1, 64), .view(-1, 64)); the input dimension "
                "is read from X_train, MLPDeuxCouches(X_train.shape[1], hidden, 10), and X_train "
                "keeps its shape (N, D)",
            ) from None
        raise
    if not isinstance(out, dict) or not isinstance(out.get("seen"), list):
        raise CheckFailed(
            "entrainer_sgd n'a pas pu être suivi par le correcteur",
            "the grader could not follow entrainer_sgd",
        )
    return out


@pytest.mark.item("sgd_digits", points=0.5)
def test_entrainer_sgd_uses_seed_and_lr(submission, rng):
    """Same seed, same model; another seed, another one; another lr, another one; the hidden
    width asked. An unseeded loop, an lr written in the loop instead of the argument, or a
    hidden width of 64 whatever the argument, still reaches the accuracy bar."""
    X_train, _, y_train, _ = digits_split(SPLIT_SEED)
    n = 300
    idx = rng.choice(len(X_train), size=n, replace=False)
    X = np.hstack([X_train[idx], (np.arange(n) / 1000.0)[:, None]])
    s = int(rng.integers(0, 2**31 - 2))
    runs = [_recorded(submission, X, y_train[idx], lr, 1, BATCH, seed)
            for seed, lr in ((s, LR), (s, LR), (s + 1, LR), (s, LR / 2))]
    if runs[0].get("hidden") not in (None, 16):  # _recorded trains with hidden=16
        raise CheckFailed(
            "entrainer_sgd ignore l'argument hidden : pour une largeur cachée du correcteur, le "
            "modèle renvoyé en a une autre ; construisez MLPDeuxCouches(D, hidden, 10)",
            "entrainer_sgd ignores the hidden argument: for a grader hidden width, the returned "
            "model has another one; build MLPDeuxCouches(D, hidden, 10)",
        )
    weights = [r.get("weights") for r in runs]
    if any(w is None for w in weights):
        return  # no fc1 to read: the accuracy check judges the returned model
    w = [np.array(v, dtype=float) for v in weights]
    orders = [np.concatenate([np.asarray(b, dtype=np.int64) for b in r["seen"]] or [np.zeros(0, np.int64)])
              for r in runs[:3]]
    inits = [r.get("init") for r in runs[:2]]
    if (
        all(isinstance(v, list) and v for v in inits)
        and np.array_equal(np.asarray(inits[0], dtype=float), np.asarray(inits[1], dtype=float))
        and orders[0].size
        and not np.array_equal(orders[0], orders[1])
    ):
        # The same seed, the same initial weights (torch.manual_seed(seed) is called), another
        # order of the examples: the shuffling generator keeps its state from one call to the
        # next (made once, outside the function: blind round 19), whatever seed it was made with.
        raise CheckFailed(
            "deux appels de entrainer_sgd avec le même seed partent des mêmes poids initiaux "
            "(torch.manual_seed(seed) est bien appelé) mais ne mélangent pas les exemples dans le "
            "même ordre : le générateur du mélange garde son état d'un appel à l'autre (créé une "
            "seule fois, hors de la fonction ou dans une variable globale, il ne part pas de "
            "l'argument seed) ; créez-le dans la fonction, à chaque appel, avant la boucle des "
            "époques : g = torch.Generator().manual_seed(seed), puis torch.randperm(N, generator=g)",
            "two calls of entrainer_sgd with the same seed start from the same initial weights "
            "(torch.manual_seed(seed) is called) but do not shuffle the examples in the same "
            "order: the shuffling generator keeps its state from one call to the next (made once, "
            "outside the function or in a global variable, it does not start from the seed "
            "argument); make it inside the function, at every call, before the epoch loop: g = "
            "torch.Generator().manual_seed(seed), then torch.randperm(N, generator=g)",
        )
    assert_seed_used(*w[:3], same=(
        "deux appels de entrainer_sgd avec le même seed donnent des modèles différents : "
        "appelez torch.manual_seed(seed) avant de créer le modèle, et mélangez avec "
        "torch.randperm(N, generator=torch.Generator().manual_seed(seed))",
        "two calls of entrainer_sgd with the same seed give different models: call "
        "torch.manual_seed(seed) before building the model, and shuffle with "
        "torch.randperm(N, generator=torch.Generator().manual_seed(seed))",
    ), ignored=(
        "entrainer_sgd donne le même modèle pour deux seeds différents : utilisez l'argument "
        "seed (torch.manual_seed(seed) et le générateur du mélange)",
        "entrainer_sgd gives the same model for two different seeds: use the seed argument "
        "(torch.manual_seed(seed) and the shuffling generator)",
    ))
    # The seed drives the shuffling too (the statement's g = torch.Generator().manual_seed(seed)),
    # not only the initial weights: a generator seeded with a constant gives other models for
    # other seeds (their initial weights differ) but the same batches.
    # Only on shuffled batches (a loop without shuffling, or no batch at all, is said by
    # test_entrainer_sgd_batches_cover_the_epoch).
    if orders[0].size and not np.array_equal(orders[0], np.sort(orders[0])):
        check_seeded_order(*orders, "entrainer_sgd", n="N")
    with torch.random.fork_rng():  # the seeded initial fc1, as MLPDeuxCouches builds it
        torch.manual_seed(s)
        init = torch.nn.Linear(X.shape[1], 16).weight.detach().double().flatten().numpy()
    if w[0].shape == init.shape and np.allclose(w[0], init, rtol=0, atol=1e-6):
        return  # never updated: the accuracy check says so, not this one
    if np.array_equal(w[0], w[3]):
        raise CheckFailed(
            "entrainer_sgd donne le même modèle pour deux valeurs de lr (même seed) : "
            "passez l'argument lr à l'optimiseur (torch.optim.SGD(modele.parameters(), lr=lr)), "
            "pas une valeur écrite en dur",
            "entrainer_sgd gives the same model for two values of lr (same seed): "
            "pass the lr argument to the optimiser (torch.optim.SGD(modele.parameters(), lr=lr)), "
            "not a hard-coded value",
        )
    twice = _recorded(submission, X, y_train[idx], LR, 2, BATCH, s)
    two = twice.get("weights")
    # Premise of "epochs ignored": epochs=2 ran no more batches than epochs=1. More batches
    # and the same weights is a training that stalled after its first epoch (a summed loss
    # that killed every ReLU, nan weights): the step check names that, not this one.
    more_batches = len(twice["seen"]) > len(runs[0]["seen"])
    if two is not None and not more_batches and np.array_equal(w[0], np.array(two, dtype=float)):
        raise CheckFailed(
            "entrainer_sgd donne le même modèle pour deux valeurs de epochs (mêmes autres "
            "arguments) : l'argument epochs est ignoré ; for epoque in range(epochs), pas un "
            "nombre d'époques écrit en dur",
            "entrainer_sgd gives the same model for two values of epochs (same other arguments): "
            "the epochs argument is ignored; for epoch in range(epochs), not a hard-coded number "
            "of epochs",
        )
    # The statement: "vos fonctions ne doivent pas modifier leurs arguments".
    assert_arguments_untouched(
        submission, "entrainer_sgd", (X, y_train[idx], 16, LR, 1, BATCH, s), {0: "X_train", 1: "y_train"},
        hint_fr="convertissez en tenseurs sans réécrire X_train ni y_train (torch.tensor(X_train) "
        "copie ; pas de normalisation ni de mélange sur place)",
        hint_en="convert to tensors without rewriting X_train or y_train (torch.tensor(X_train) "
        "copies; no in-place normalisation or shuffling)",
        references=MLP_REFERENCE,
    )
