"""What a recording stand-in model saw of a student's training loop, judged the same way in
every TP: fresh gradients at every step (zero_grad), one optimiser for the whole training, and
an order of examples drawn from the seed the function receives.

The TP's kernel-side recorder (a small grader model whose hooks note, per step, whether the
gradients were added to the previous step's, and which examples it received) gives the
values: `note_fresh_gradients` installs those hooks, `watch_optimisers` and `watch_draws`
watch the optimisers that step and the permutations drawn for the length of the student's call
(`@kernel_side(uses=(note_fresh_gradients, watch_optimisers, watch_draws))` on the recorder);
the other helpers judge what they noted, with one wording for the course.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.checks.errors import CheckFailed
from autograder.checks.kernel_code import kernel_side

#: How a TP calls one optimiser step: (French "of a …", French "of the previous …", English).
UNITS = {
    "lot": ("d'un lot", "du lot précédent", "batch"),
    "étape": ("d'une étape", "de l'étape précédente", "step"),
}


@kernel_side
def note_fresh_gradients(module, cumuls):
    """Hooks on every parameter of `module` (kernel side) that append to `cumuls`, at each
    backward, whether the accumulated gradient is that backward's own: False when the previous
    step's gradient was not zeroed. Returns the dict of each parameter's fresh gradient (by
    position), as backward computed it, before any clipping."""
    import torch

    frais = {}
    for i, p in enumerate(module.parameters()):
        p.register_hook(lambda g, i=i: frais.__setitem__(i, g.detach().clone()))
        p.register_post_accumulate_grad_hook(
            lambda p, i=i: cumuls.append(bool(torch.allclose(p.grad, frais[i])))
        )
    return frais


def check_fresh_gradients(cumuls: object, call: str, *, unit: str = "étape") -> None:
    """Fails when a step's gradients were added to the previous step's (`cumuls`: one bool per
    parameter and step, True when the gradient was fresh), naming zero_grad."""
    of_one, of_previous, en = UNITS[unit]
    if not all(bool(c) for c in cumuls):  # type: ignore[union-attr]
        raise CheckFailed(
            f"{call} : les gradients {of_one} s'ajoutent à ceux {of_previous} : appelez "
            "optimiseur.zero_grad() à chaque étape, avant perte.backward()",
            f"{call}: the gradients of a {en} are added to those of the previous {en}: call "
            "optimiseur.zero_grad() at every step, before perte.backward()",
        )


def assert_seed_used(first: object, again: object, other: object, *, same: tuple[str, str],
                     ignored: tuple[str, str]) -> None:
    """The statement's seed argument: two calls with the same seed give the same result
    (`first`, `again`), a call with another seed another one (`other`), compared exactly,
    shape first (reproducible means the same numbers, not close ones). `same` is the (fr, en)
    message for a result that changed under the same seed, `ignored` for one the seed did not
    change."""
    a, b, c = (np.asarray(v) for v in (first, again, other))
    if a.shape != b.shape or not np.array_equal(a, b):
        raise CheckFailed(*same)
    if a.shape == c.shape and np.array_equal(a, c):
        raise CheckFailed(*ignored)


def check_seeded_order(
    first: np.ndarray,
    again: np.ndarray,
    other: np.ndarray,
    call: str,
    *,
    what: tuple[str, str] = ("exemples", "examples"),
    n: str = "N",
) -> None:
    """Fails unless the same seed gave the same order of examples (`again`) and another seed
    another one (`other`); the hint draws the permutation of `n` from the seed. The same seed
    drawing another order is said as state carried from one call to the next (a generator
    made once, in a global, or a global generator that nothing seeds), another seed drawing
    the same order as a seed the call does not use (a constant written in its place)."""
    draw = f"torch.randperm({n}, generator=torch.Generator().manual_seed(seed))"
    if not np.array_equal(again, first):
        raise CheckFailed(
            f"{call} : deux appels avec la même graine ne voient pas les {what[0]} dans le même "
            "ordre : l'ordre dépend d'un état conservé d'un appel à l'autre (un générateur créé "
            "une seule fois, hors de la fonction ou dans une variable globale, ou le générateur "
            "global de torch ou de np.random, que rien ne ré-initialise) ; créez le générateur "
            f"dans la fonction, à chaque appel, à partir de son argument seed : {draw}",
            f"{call}: two calls with the same seed do not see the {what[1]} in the same order: "
            "the order depends on state kept from one call to the next (a generator made only "
            "once, outside the function or in a global variable, or torch's or np.random's "
            "global generator, which nothing re-seeds); make the generator inside the "
            f"function, at every call, from its seed argument: {draw}",
        )
    if np.array_equal(other, first):
        raise CheckFailed(
            f"{call} ne tire pas l'ordre des {what[0]} avec son argument seed : la même graine "
            f"doit donner les mêmes lots, une autre graine d'autres lots ; {draw}",
            f"{call} does not draw the order of the {what[1]} from its seed argument: the same "
            f"seed must give the same batches, another seed other batches; {draw}",
        )


@kernel_side
def watch_draws(also=()):
    """Starts recording every permutation drawn with torch.randperm or np.random.permutation (a
    digest of the draw; a DataLoader's shuffling sampler draws with torch.randperm) and counting
    the generators np.random.default_rng makes; returns `stop`. stop() puts the functions back
    and returns {"draws": [digest, ...], "lengths": [len(draw), ...], "generators": n}: call it
    in a `finally`, so that a call that raised leaves the kernel as it was. The same draw twice
    (a generator made again from the seed at every epoch) gives the same digest; `lengths`
    tells the permutations of the N examples from other draws (a model's own). `also` names
    other torch draws to record the same way ("randint", "rand", "multinomial"), for a loop
    that draws its batches otherwise than by a permutation."""
    import hashlib

    import numpy as np
    import torch

    note = {"draws": [], "lengths": [], "generators": 0}
    originals = (torch.randperm, np.random.permutation, np.random.default_rng)
    others = {name: getattr(torch, name) for name in also}

    def record(draw):
        try:
            raw = np.asarray(draw.cpu() if hasattr(draw, "cpu") else draw)
            note["draws"].append(hashlib.sha256(raw.tobytes()).hexdigest()[:16])
            note["lengths"].append(int(raw.shape[0]) if raw.ndim else -1)
        except Exception:  # noqa: BLE001 - a draw that cannot be read is still a draw
            note["draws"].append(str(len(note["draws"])))
            note["lengths"].append(-1)
        return draw

    def recording(draw_with):
        def draw(*a, **k):
            return record(draw_with(*a, **k))
        return draw

    def default_rng(*a, **k):
        note["generators"] += 1
        return originals[2](*a, **k)

    torch.randperm, np.random.permutation = recording(originals[0]), recording(originals[1])
    np.random.default_rng = default_rng
    for name, draw_with in others.items():
        setattr(torch, name, recording(draw_with))

    def stop():
        torch.randperm, np.random.permutation, np.random.default_rng = originals
        for name, draw_with in others.items():
            setattr(torch, name, draw_with)
        return {"draws": list(note["draws"]), "lengths": list(note["lengths"]),
                "generators": note["generators"]}

    return stop


@kernel_side
def watch_optimisers():
    """Starts watching every optimiser step (a global post-step hook) and returns `stop`:
    stop() removes the hook and returns {"steps": steps that updated a parameter, "optimisers":
    the most optimiser objects that updated one parameter, "behind": how many times a
    parameter's step count in its optimiser's state (Adam's state["step"], which its bias
    correction divides by) was below the number of steps it had received}. One optimiser built
    before the loops gives 1 and 0; an Adam built again at every epoch (or batch), or whose
    state is cleared, starts its moments and its count again: several optimisers, a count
    behind. A parameter an optimiser did not update (no gradient, no state) is not counted."""
    from torch.optim.optimizer import register_optimizer_step_post_hook

    by_parameter = {}  # id(p) -> [p, optimisers that updated it...] (p kept: ids stay unique)
    received = {}
    note = {"steps": 0, "behind": 0}

    def _after_step(optimiser, args, kwargs):
        touched = False
        for group in optimiser.param_groups:
            for p in group.get("params", []):
                state = optimiser.state.get(p) if hasattr(optimiser.state, "get") else None
                if not state or getattr(p, "grad", None) is None:
                    continue  # not updated by this step
                touched = True
                seen = by_parameter.setdefault(id(p), [p])
                if not any(o is optimiser for o in seen[1:]):
                    seen.append(optimiser)
                received[id(p)] = received.get(id(p), 0) + 1
                if "step" in state:
                    try:
                        if float(state["step"]) < received[id(p)]:
                            note["behind"] += 1
                    except (TypeError, ValueError, RuntimeError):
                        pass
        note["steps"] += int(touched)

    hook = register_optimizer_step_post_hook(_after_step)

    def stop():
        hook.remove()
        return {"steps": note["steps"], "behind": note["behind"],
                "optimisers": max((len(v) - 1 for v in by_parameter.values()), default=0)}

    return stop


@dataclass(frozen=True)
class OptimiserWords:
    """How `assert_one_optimiser` names the statement's optimiser and its loop, (French,
    English) each: `build` is the call to write; `restarts` what a new optimiser starts from
    zero again; `reset` the sentence for its state cleared during training; `loop` the loop
    it is built before; `inside` where a misplaced one is built; `every` when it is reused."""

    build: str
    restarts: tuple[str, str]
    reset: tuple[str, str]
    loop: tuple[str, str] = ("la boucle des époques", "the epoch loop")
    inside: tuple[str, str] = ("dans la boucle des époques ou des lots",
                               "inside the epoch or batch loop")
    every: tuple[str, str] = ("chaque lot (zero_grad, perte, backward, step)",
                              "every batch (zero_grad, loss, backward, step)")


#: The statement's Adam (TP04's wording).
ADAM = OptimiserWords(
    build="torch.optim.Adam(modele.parameters(), lr=lr)",
    restarts=("les moyennes mobiles m et v d'Adam et sa correction de biais repartent de zéro",
              "Adam's moving averages m and v and its bias correction start from zero again"),
    reset=("l'état de l'optimiseur Adam (son compteur de pas, ses moyennes mobiles m et v) est "
           "remis à zéro en cours d'entraînement : sa correction de biais repart de zéro",
           "the state of the Adam optimiser (its step count, its moving averages m and v) is "
           "reset during training: its bias correction starts from zero again"),
)


def assert_one_optimiser(note: object, call_fr: str, call_en: str, *,
                         optimiser: OptimiserWords = ADAM) -> None:
    """The statement's training loop: ONE optimiser for the whole training, built before the
    epoch loop, stepped at every batch (`note` from watch_optimisers, during `call`). An Adam
    built inside the epoch (or batch) loop still trains, and the outcome checks pass: its
    moments m and v and its bias correction start from zero again at every epoch."""
    try:
        steps, behind, optimisers = (int(note[key]) for key in ("steps", "behind", "optimisers"))  # type: ignore[index]
    except (TypeError, ValueError, KeyError):
        return  # not what the hook returns: the other checks judge the loop
    if steps == 0 or (optimisers <= 1 and behind == 0):
        return
    fix_fr = (f"créez l'optimiseur UNE fois, avant {optimiser.loop[0]} "
              f"(optimiseur = {optimiser.build}), et réutilisez-le à {optimiser.every[0]}")
    fix_en = (f"create the optimiser ONCE, before {optimiser.loop[1]} "
              f"(optimiseur = {optimiser.build}), and reuse it at {optimiser.every[1]}")
    if optimisers > 1:
        raise CheckFailed(
            f"{call_fr} : les paramètres du modèle ont été mis à jour par {optimisers} "
            f"optimiseurs successifs au lieu d'un seul (l'optimiseur est créé {optimiser.inside[0]}) "
            f": à chaque nouvel optimiseur, {optimiser.restarts[0]} ; {fix_fr}",
            f"{call_en}: the model's parameters were updated by {optimisers} successive "
            f"optimisers instead of one (the optimiser is created {optimiser.inside[1]}): with "
            f"every new optimiser, {optimiser.restarts[1]}; {fix_en}",
        )
    raise CheckFailed(
        f"{call_fr} : {optimiser.reset[0]} ; {fix_fr}, sans toucher à son état",
        f"{call_en}: {optimiser.reset[1]}; {fix_en}, without touching its state",
    )
