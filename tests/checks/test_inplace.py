"""checks.inplace: an argument modified in place is seen in the kernel, named, and told in
French; a function that works on a copy (or restores what it touched) passes; what a write
left in the arguments comes back for a hint."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from autograder.bridge.proxy import Submission
from autograder.checks import (
    CheckFailed,
    Tensor,
    arguments_after_call,
    arguments_changed,
    assert_arguments_untouched,
    changed_argument_names,
)
from autograder.sandbox.landlock import exchange_root
from tests.sandbox.test_kernel import start_kernel

STUDENT = """
import numpy as np
import torch
def centre_copie(H):
    return H - H.mean(axis=0)
def centre_sur_place(H):
    H -= H.mean(axis=0)
    return H
def pas_tenseur(x, w):
    w.add_(1.0)
    return x
def touche_et_remet(x, h=1e-5):
    x[0] += h
    x[0] -= h
    return x.sum()
def touche_deux_fois(x, h=1e-3):
    for i in range(len(x)):
        x[i] += h
        x[i] -= 2 * h
        x[i] += h
    return x.sum()
def plante(H):
    raise ValueError("rien")
def decale_sur_place(x, d):
    x += d
    return x
def utilise_decale(x, d):
    return decale_sur_place(x, d) * 2
def lit_dict(p, grads, paire):
    return p["W"] @ p["b"] + sum(g.sum() for g in grads) + paire[0].sum()
def ecrit_entree(p, grads, paire):
    p["b"].mul_(2.0)
    grads[1] += 1.0
    return paire
def ajoute_cle(p, grads, paire):
    p["nouveau"] = 1
    grads.append(grads[0])
    return paire
def ecrit_tuple(p, grads, paire):
    paire[1][0] = 7.0
def vide_la_liste(largeurs):
    total = 0
    while largeurs:
        total += largeurs.pop(0)
    return total
def lit_le_dict(params, cache):
    return params["W"] @ cache["Z"]
def modifie_une_entree(params, cache):
    cache["Z"] *= 2
    return params["W"] @ cache["Z"]
def ajoute_une_cle(params, cache):
    cache["dZ"] = cache["Z"] - 1
    return params["W"]
def tourne_en_float32(X):
    courant = np.asarray(X, dtype=np.float32)  # a copy only when X is not float32
    courant[:] = courant[:, ::-1]
    return courant.copy()
def tenseur_en_float64(x):
    t = torch.as_tensor(x, dtype=torch.float64)  # shares x's memory only when x is float64
    t.mul_(2.0)
    return t.clone()
def exige_float64(X):
    if X.dtype != np.float64:
        raise TypeError("float64 seulement")
    return X * 2
def centre_lignes(z, T):
    z = np.asarray(z, dtype=float)  # the caller's array itself when it is float64
    z -= z.max(axis=1, keepdims=True)
    return z / T
"""

DECALE_COPIE = """
def decale_sur_place(x, d):
    return x + d
"""


@pytest.fixture(scope="module")
def sub(tmp_path_factory) -> Iterator[Submission]:
    k = start_kernel(tmp_path_factory.mktemp("inplace"))
    assert k.execute(STUDENT, timeout=60).status == "ok"
    s = Submission.connect(k, exchange_root(k.runtime_dir), call_timeout=20)
    yield s
    s.close()
    k.shutdown()


HINTS = {"hint_fr": "travaillez sur une copie", "hint_en": "work on a copy"}


def test_a_copy_passes_and_a_restored_argument_within_atol_too(sub):
    H = np.arange(6.0).reshape(3, 2)
    assert_arguments_untouched(sub, "centre_copie", (H,), {0: "H"}, **HINTS)
    x = np.array([0.1, 0.2, 0.3])
    assert_arguments_untouched(sub, "touche_et_remet", (x,), {0: "x"}, atol=1e-12, **HINTS)


def test_in_place_is_named_with_the_argument(sub):
    with pytest.raises(CheckFailed) as info:
        assert_arguments_untouched(sub, "centre_sur_place", (np.arange(6.0).reshape(3, 2),), {0: "H"}, **HINTS)
    assert info.value.message.fr.startswith("centre_sur_place modifie sur place ce qu'on lui passe (H)")
    assert "travaillez sur une copie" in info.value.message.fr
    assert "work on a copy" in info.value.message.en


def test_tensors_are_watched_too(sub):
    with pytest.raises(CheckFailed, match=r"\(w\)"):
        assert_arguments_untouched(
            sub, "pas_tenseur", (Tensor(np.zeros(3)), Tensor(np.ones(2))), {0: "x", 1: "w"}, **HINTS
        )


def test_a_conversion_that_copies_only_one_dtype_is_seen_from_either(sub):
    """np.asarray(X, dtype=np.float32) writes into a float32 X and copies a float64 one: the
    check passes the watched arrays in both float dtypes (blind round 14, TP09)."""
    for dtype in (np.float32, np.float64):
        X = np.arange(12.0, dtype=dtype).reshape(3, 4)
        with pytest.raises(CheckFailed, match=r"\(X\)"):
            assert_arguments_untouched(sub, "tourne_en_float32", (X,), {0: "X"}, **HINTS)
    for dtype in (np.float32, np.float64):
        with pytest.raises(CheckFailed, match=r"\(x\)"):
            assert_arguments_untouched(sub, "tenseur_en_float64", (Tensor(np.ones(3, dtype=dtype)),),
                                       {0: "x"}, **HINTS)


def test_touched_and_restored_in_the_other_dtype_is_within_its_rounding(sub):
    """x[i] += h; x[i] -= 2h; x[i] += h restores -1.8361 within 2e-16 in float64, within 1e-7
    in float32: the second call (float32) allows float32 rounding."""
    x = np.array([-1.8361059042552212, 0.5, 1.2530809568010897])
    assert_arguments_untouched(sub, "touche_deux_fois", (x,), {0: "x"}, atol=1e-12, **HINTS)


def test_keyword_arguments_reach_the_function(sub):
    x = np.arange(3.0)
    assert changed_argument_names(sub, "decale_sur_place", (x,), {0: "x"}, kwargs={"d": 1.0}) == ["x"]
    assert changed_argument_names(sub, "centre_copie", (), {}, kwargs={"H": np.ones((2, 2))}) == []


def test_an_error_in_the_other_dtype_is_not_the_checks_business(sub):
    assert_arguments_untouched(sub, "exige_float64", (np.ones(3),), {0: "X"}, **HINTS)
    assert changed_argument_names(sub, "centre_copie", (np.ones((2, 2), dtype=np.float32),), {0: "H"}) == []


def test_the_students_error_is_named_for_their_function(sub):
    with pytest.raises(Exception) as info:
        assert_arguments_untouched(sub, "plante", (np.zeros(2),), {0: "H"}, **HINTS)
    assert "plante" in str(getattr(info.value, "message", info.value))
    assert "_ag_" not in str(getattr(info.value, "message", info.value))


def test_a_dependency_that_modifies_in_place_is_replaced_by_the_reference(sub):
    # utilise_decale itself touches nothing: the student's decale_sur_place does.
    with pytest.raises(CheckFailed, match=r"^utilise_decale modifie sur place ce qu'on lui passe \(x\)"):
        assert_arguments_untouched(sub, "utilise_decale", (np.zeros(3), 1.0), {0: "x"}, **HINTS)
    assert_arguments_untouched(
        sub, "utilise_decale", (np.zeros(3), 1.0), {0: "x"},
        references={"decale_sur_place": DECALE_COPIE}, **HINTS,
    )
    # and the reference stays a call-time swap: the student's own function is back afterwards
    with pytest.raises(CheckFailed):
        assert_arguments_untouched(sub, "decale_sur_place", (np.zeros(3), 1.0), {0: "x"}, **HINTS)


NESTED = (
    {"W": Tensor(np.ones((2, 3))), "b": Tensor(np.arange(3.0))},
    [np.zeros(2), np.ones((2, 2))],
    (Tensor(np.ones(2)), np.arange(2.0)),
)
NESTED_NAMES = {0: "p", 1: "grads", 2: "paire"}


def test_nested_dicts_lists_and_tuples_are_compared_entry_by_entry(sub):
    # read only: nothing is reported (a dict or a list was reported changed whatever it held)
    assert changed_argument_names(sub, "lit_dict", NESTED, NESTED_NAMES) == []
    assert_arguments_untouched(sub, "lit_dict", NESTED, NESTED_NAMES, **HINTS)


def test_a_modified_entry_is_named_by_its_path(sub):
    assert changed_argument_names(sub, "ecrit_entree", NESTED, NESTED_NAMES) == ["p['b']", "grads[1]"]
    assert changed_argument_names(sub, "ecrit_tuple", NESTED, NESTED_NAMES) == ["paire[1]"]
    with pytest.raises(CheckFailed, match=r"\(p\['b'\], grads\[1\]\)"):
        assert_arguments_untouched(sub, "ecrit_entree", NESTED, NESTED_NAMES, **HINTS)


def test_a_container_that_gains_an_entry_is_named_itself(sub):
    assert changed_argument_names(sub, "ajoute_cle", NESTED, NESTED_NAMES) == ["p", "grads"]


def test_lists_and_dicts_are_compared_entry_by_entry(sub):
    assert_arguments_untouched(
        sub, "lit_le_dict", ({"W": np.eye(2)}, {"Z": np.ones(2)}), {0: "params", 1: "cache"}, **HINTS
    )
    with pytest.raises(CheckFailed, match=r"\(largeurs\)"):
        assert_arguments_untouched(sub, "vide_la_liste", ([3, 4, 5],), {0: "largeurs"}, **HINTS)
    for fn in ("modifie_une_entree", "ajoute_une_cle"):
        with pytest.raises(CheckFailed, match=r"\(cache"):
            assert_arguments_untouched(
                sub, fn, ({"W": np.eye(2)}, {"Z": np.ones(2)}), {0: "params", 1: "cache"}, **HINTS
            )


def test_what_a_call_left_comes_back_for_each_dtype(sub):
    """As changed_argument_names calls it: as given (float64), then in float32; a conversion
    that copies only float32 writes into the float64 array alone."""
    z = np.array([[1.0, 3.0], [2.0, -1.0]])
    after = arguments_after_call(sub, "centre_lignes", (z, 2.0), (0,))
    assert len(after) == 2 and all(len(w) == 1 for w in after)
    np.testing.assert_array_equal(after[0][0], z - z.max(axis=1, keepdims=True))
    assert after[1][0].dtype == np.float32
    np.testing.assert_array_equal(after[1][0], z.astype(np.float32))
    np.testing.assert_array_equal(z, [[1.0, 3.0], [2.0, -1.0]])  # the grader's own never moves
    # without `watch`, every positional argument comes back (T a 0-d array)
    whole = arguments_after_call(sub, "centre_lignes", (z, 2.0))
    assert len(whole) == 2 and float(whole[0][1]) == 2.0
    np.testing.assert_array_equal(whole[0][0], after[0][0])


def test_tensors_nested_arguments_and_keywords_come_back_as_arrays(sub):
    after = arguments_after_call(sub, "ecrit_entree", NESTED, (0, 1))
    p, grads = after[0]
    np.testing.assert_array_equal(p["b"], 2 * np.arange(3.0))
    np.testing.assert_array_equal(grads[1], 2 * np.ones((2, 2)))
    after = arguments_after_call(sub, "decale_sur_place", (), (), kwargs={"x": np.zeros(2), "d": 1.0})
    assert after == [[]]  # nothing watched: one call, nothing to give back


def test_a_call_that_raises_gives_none_and_ints_are_called_once(sub):
    after = arguments_after_call(sub, "exige_float64", (np.ones(3),), (0,))
    assert after[1] is None and np.array_equal(after[0][0], np.ones(3))
    assert arguments_after_call(sub, "plante", (np.zeros(2),), (0,)) == [None, None]
    after = arguments_after_call(sub, "vide_la_liste", ([3, 4, 5],), (0,))
    assert len(after) == 1 and list(after[0][0]) == []


ADVICE = {"p": ("lisez p sans écrire dedans", "read p without writing to it"),
          "grads": ("renvoyez de nouveaux gradients", "return new gradients"),
          "paire": ("ne touchez pas à la paire", "leave the pair alone")}


def test_per_argument_advice_names_only_the_arguments_changed(sub):
    """A write to grads is not told "lisez p sans écrire dedans": the advice of the argument
    the call changed, an entry p['b'] counting for p."""
    with pytest.raises(CheckFailed) as info:
        assert_arguments_untouched(sub, "ecrit_tuple", NESTED, NESTED_NAMES, advice=ADVICE)
    assert info.value.message.fr.endswith("arguments ; ne touchez pas à la paire")
    assert info.value.message.en.endswith("arguments; leave the pair alone")
    with pytest.raises(CheckFailed) as info:
        assert_arguments_untouched(sub, "ecrit_entree", NESTED, NESTED_NAMES, advice=ADVICE)
    assert "lisez p sans écrire dedans ; renvoyez de nouveaux gradients" in info.value.message.fr
    assert "paire" not in info.value.message.fr.split(";", 1)[1]


def test_an_observation_follows_the_advice_and_an_unknown_name_gets_the_first():
    failure = arguments_changed("f", ["autre"], ADVICE, extra=("la liste est vide", "the list is empty"))
    assert failure.message.fr == ("f modifie sur place ce qu'on lui passe (autre) : la consigne demande "
                                  "de ne pas modifier les arguments ; lisez p sans écrire dedans ; "
                                  "la liste est vide")
    assert arguments_changed("f", ["x"], ("copiez", "copy")).message.en.endswith("arguments; copy")
