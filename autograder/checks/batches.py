"""Judging the mini-batches of one epoch of a student's training loop.

The grader records which examples each call of the model received (a recording subclass of
the student's model, installed by the TP's kernel-side helper); this module says whether
they form one epoch of mini-batches. TP01 and TP02 train the same way and share it.
"""

from __future__ import annotations

from autograder.checks.errors import CheckFailed


def check_epoch_batches(
    batches: object,
    n: int,
    batch_size: int,
    what: str,
    what_en: str,
    callee: tuple[str, str],
    *,
    every_example: bool = False,
) -> None:
    """Batches of at most `batch_size`, each example at most once, all but fewer than
    `batch_size` seen (an incomplete last batch may be dropped). `batches` is the list of
    example ids each call received; `callee` names what received them (FR, EN).
    With `every_example` (a statement that says "every batch"), every example must be seen:
    a dropped incomplete last batch fails too (draw `n` not a multiple of `batch_size`)."""
    if not isinstance(batches, list) or not batches:
        raise CheckFailed(f"{what} : {callee[0]} n'est jamais appelé", f"{what_en}: {callee[1]} is never called")
    # A pass over the whole set (an accuracy printed each epoch) is evaluation, not a batch.
    batches = [b for b in batches if sorted(b) != list(range(n))] or batches
    sizes = [len(b) for b in batches]
    seen = [i for b in batches for i in b]
    if max(sizes) > batch_size:
        raise CheckFailed(
            f"{what} : {callee[0]} reçoit un lot de {max(sizes)} exemples ; chaque lot en compte au "
            "plus batch_size : lot = ordre[debut : debut + batch_size]",
            f"{what_en}: {callee[1]} receives a batch of {max(sizes)} examples; each batch holds at "
            "most batch_size: batch = order[start : start + batch_size]",
        )
    if len(set(seen)) < len(seen):
        raise CheckFailed(
            f"{what} : des exemples apparaissent dans plusieurs lots de la même époque ; les lots "
            "d'une époque découpent UNE permutation sans se chevaucher",
            f"{what_en}: some examples appear in several batches of the same epoch; the batches "
            "of an epoch cut ONE permutation without overlapping",
        )
    missing = n - len(set(seen))
    if missing >= batch_size:
        raise CheckFailed(
            f"{what} : {missing} exemples ne sont vus dans aucun lot de l'époque ; parcourez "
            "tous les lots de chaque époque (for debut in range(0, N, batch_size))",
            f"{what_en}: {missing} examples are in no batch of the epoch; visit every batch of "
            "every epoch (for start in range(0, N, batch_size))",
        )
    if every_example and missing > 0:
        last = missing == n % batch_size
        raise CheckFailed(
            f"{what} : des exemples ne sont vus dans aucun lot de l'époque"
            + (" : le dernier lot, incomplet, est sauté" if last else "")
            + " ; parcourez TOUS les lots, y compris le dernier s'il est incomplet "
            "(for debut in range(0, N, batch_size), ordre[debut : debut + batch_size])",
            f"{what_en}: some examples are in no batch of the epoch"
            + (": the incomplete last batch is skipped" if last else "")
            + "; visit EVERY batch, the last one included when it is incomplete "
            "(for start in range(0, N, batch_size), order[start : start + batch_size])",
        )


def check_reshuffled_epochs(batches: list, what: str, what_en: str, call: str) -> None:
    """Two epochs of batches (example ids per call, in order): the examples must be shuffled,
    and shuffled again at the second epoch. A loop without shuffling, or with one permutation
    drawn before the epoch loop, still reaches an accuracy bar; this is where it shows.
    `call` names the two-epoch call in the messages, as the student wrote it."""
    half = len(batches) // 2
    first = [i for b in batches[:half] for i in b]
    second = [i for b in batches[half:] for i in b]
    if first == sorted(first):
        raise CheckFailed(
            f"{what} : les lots suivent l'ordre des exemples, sans mélange ; mélangez à chaque "
            "époque : ordre = torch.randperm(N, generator=g)",
            f"{what_en}: the batches follow the order of the examples, unshuffled; shuffle at "
            "every epoch: ordre = torch.randperm(N, generator=g)",
        )
    if first == second:
        raise CheckFailed(
            f"{call} : les deux époques voient les exemples dans le même ordre ; tirez une "
            "nouvelle permutation à CHAQUE époque (torch.randperm(N, generator=g) dans la boucle "
            "des époques, g créé une fois avant)",
            f"{call}: both epochs see the examples in the same order; draw a new permutation at "
            "EVERY epoch (torch.randperm(N, generator=g) inside the epoch loop, g made once before it)",
        )
