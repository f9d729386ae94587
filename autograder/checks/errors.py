"""Exceptions a check raises to fail or to give partial credit.

The pytest plugin turns `CheckFailed` into a failed check and `Partial` into partial
credit, and shows their bilingual `.message` to the student.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from autograder.errors import AutograderError
from autograder.results import Message


def _message(fr: str | Message, en: str) -> Message:
    return fr if isinstance(fr, Message) else Message(fr, en)


class CheckFailed(AutograderError, AssertionError):
    """The student's answer is wrong; `.message` says why, in French and English.

    Takes a `Message` or its French and English texts. It subclasses AssertionError so that
    a plain pytest run (without the plugin) still reports it as a failure, not an error.
    """

    str_lang = "fr"

    def __init__(self, fr: str | Message, en: str = "") -> None:
        super().__init__(_message(fr, en))


class Partial(AutograderError):
    """Partial credit: `fraction` of the check's points, with a message saying what is missing."""

    str_lang = "fr"

    def __init__(self, fraction: float, fr: str | Message, en: str = "") -> None:
        super().__init__(_message(fr, en))
        try:
            value = float(fraction)
        except (TypeError, ValueError):
            value = 0.0
        # A NaN fraction would poison the total score; treat it as no credit.
        self.fraction = 0.0 if math.isnan(value) else min(1.0, max(0.0, value))


#: False while a hidden check runs: the helpers then leave expected values (and anything
#: they can be computed from) out of their messages. Set by the grader's pytest plugin.
_SHOW_EXPECTED: ContextVar[bool] = ContextVar("autograder_show_expected", default=True)


def show_expected() -> bool:
    """Whether messages may show expected values (public checks) or not (hidden ones)."""
    return _SHOW_EXPECTED.get()


@contextmanager
def expected_values_shown(shown: bool) -> Iterator[None]:
    token = _SHOW_EXPECTED.set(shown)
    try:
        yield
    finally:
        _SHOW_EXPECTED.reset(token)


#: The truth value of a tensor or an array of several entries (`if b:` on an optional tensor
#: argument): PyTorch raises RuntimeError, NumPy ValueError, texts that a shape hint would blame
#: on the shapes.
TRUTH_VALUE_ERRORS = (
    "boolean value of tensor with more than one value is ambiguous",
    "truth value of an array with more than one element is ambiguous",
)

#: The texts of a shape mismatch, the premise of a check's shape hint.
_SHAPE_NEEDLES = (
    "shapes cannot be multiplied",
    "size mismatch",
    "must match the size of tensor",
    "is invalid for input of size",
    "could not be broadcast",
    "dimension out of range",
    "expected size",
    "is out of bounds for",
    "index out of range",
    "not aligned",
    "shape mismatch",
    "mismatch in dimension",
    "inconsistent shapes",
    "expected input batch_size",
)

# -- PyTorch/NumPy errors raised in the student's code, said in French ----------------------
# (substrings of the error text, lower case) -> (likely cause in French, in English). First
# match wins: the more specific patterns come first.
_UNPACK_NEEDLES = ("values to unpack",)

_CAUSES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        TRUTH_VALUE_ERRORS,
        "la valeur de vérité d'un tenseur (ou d'un tableau) à plusieurs éléments est ambiguë : "
        "un `if t:`, `and`, `or` ou `not` sur un tenseur ; pour un argument facultatif, testez "
        "`if b is not None:`, pour une comparaison, `(t > 0).all()` ou `.any()`",
        "the truth value of a tensor (or an array) of several entries is ambiguous: an `if t:`, "
        "`and`, `or` or `not` on a tensor; for an optional argument, test `if b is not None:`, "
        "for a comparison, `(t > 0).all()` or `.any()`",
    ),
    (
        ("expected all tensors to be on the same device", "but got device", "expected device"),
        "des tenseurs sont sur des appareils différents (CPU/GPU) : créez les nouveaux "
        "tenseurs avec device=x.device",
        "tensors are on different devices (CPU/GPU): create new tensors with device=x.device",
    ),
    (
        # backward() found a tensor it saved changed since (z /= z.norm(...) after z was used,
        # fill_diagonal_): that cause alone, no ".detach()" advice (TP09, blind round 21).
        ("modified by an inplace operation",),
        "une opération sur place (z /= …, z += …, z[...] = …, fill_diagonal_, masked_fill_, "
        "une méthode finissant par _) a modifié un tenseur dont l'autograd avait besoin pour "
        "calculer le gradient ; écrivez la version qui crée un nouveau tenseur (z = z / …, "
        "masked_fill sans _)",
        "an in-place operation (z /= …, z += …, z[...] = …, fill_diagonal_, masked_fill_, a "
        "method ending in _) modified a tensor autograd needed to compute the gradient; write "
        "the version that creates a new tensor (z = z / …, masked_fill without _)",
    ),
    (
        (
            "can't call numpy() on tensor that requires grad",
            "does not require grad and does not have a grad_fn",
            "leaf variable that requires grad",
            "backward through the graph a second time",
        ),
        "problème de graphe de calcul (requires_grad) : un tenseur qui demande un gradient "
        "passe par NumPy ou est modifié sur place, ou la perte ne dépend pas des paramètres ; "
        "utilisez .detach() pour afficher, des opérations torch pour calculer",
        "a computation-graph problem (requires_grad): a tensor that requires grad goes through "
        "NumPy or is modified in place, or the loss does not depend on the parameters; use "
        ".detach() to display, torch operations to compute",
    ),
    (
        (
            "expected scalar type",
            "expected object of scalar type",
            "found dtype",
            "to have the same dtype",
            "must have the same dtype",
            "type (float) should be the same",
            "type (double) should be the same",
            "type (torch.floattensor) should be the same",
            "type (torch.doubletensor) should be the same",
            "can't be cast to the desired output type",
            "to have one of the following scalar types",
            "expected dtype",
            "but found float",
            "but found double",
            "not implemented for 'long'",
            "not implemented for 'int'",
            "ufunc '",
        ),
        "types de données incompatibles (dtype : float32/float64, entiers) : convertissez avec "
        ".float(), .double() ou .long() (les indices de classe sont des entiers)",
        "incompatible data types (dtype: float32/float64, integers): convert with .float(), "
        ".double() or .long() (class indices are integers)",
    ),
    (
        ("channels, but got", "channels instead"),
        "l'entrée n'a pas le nombre de canaux qu'attend la convolution : un lot d'images est "
        "(N, C, H, W) et les images du correcteur peuvent avoir C > 1 canaux ; ne supposez pas "
        "C = 1 (x.unsqueeze(0) ajoute l'axe du lot, unsqueeze(1) celui des canaux)",
        "the input does not have the number of channels the convolution expects: a batch of "
        "images is (N, C, H, W) and the grader's images may have C > 1 channels; do not assume "
        "C = 1 (x.unsqueeze(0) adds the batch axis, unsqueeze(1) the channel axis)",
    ),
    (
        # cross_entropy/nll_loss: "Target 3 is out of bounds." (NumPy's "is out of bounds for
        # axis" is a shape problem, below).
        ("is out of bounds.", "t < n_classes"),
        "une étiquette de classe dépasse le nombre de sorties du modèle : la couche de sortie "
        "doit avoir autant de sorties que de classes dans les données reçues (ne l'écrivez pas "
        "en dur) et l'entraînement doit utiliser les étiquettes reçues en argument",
        "a class label is beyond the model's number of outputs: the output layer needs as many "
        "outputs as there are classes in the data received (do not hard-code it) and training "
        "must use the labels received as arguments",
    ),
    (
        # F.binary_cross_entropy checks that its target (then its input) lies in [0, 1]; a NaN
        # fails the check too. Blind round 21, TP04: perte_vae(x_hat, lot, …) in a VAE's loop
        # (the image and its reconstruction swapped) trains towards a target that diverges to
        # NaN, and the student read PyTorch's English sentence alone.
        ("all elements of target should be between 0 and 1",),
        "la cible de F.binary_cross_entropy (son 2e argument) doit être dans [0, 1] : la "
        "prédiction et la cible sont sans doute inversées (F.binary_cross_entropy(x_hat, x) prend "
        "la prédiction d'abord ; une perte qui l'appelle, comme perte_vae(x, x_hat, …), prend "
        "l'image propre d'abord), ou la cible contient des logits au lieu de probabilités, ou des "
        "nan (un entraînement qui a divergé)",
        "the target of F.binary_cross_entropy (its 2nd argument) must lie in [0, 1]: the "
        "prediction and the target are likely swapped (F.binary_cross_entropy(x_hat, x) takes the "
        "prediction first; a loss that calls it, such as perte_vae(x, x_hat, ...), takes the clean "
        "image first), or the target holds logits instead of probabilities, or nan (a training "
        "that diverged)",
    ),
    (
        ("all elements of input should be between 0 and 1",),
        "l'entrée de F.binary_cross_entropy (son 1er argument, la prédiction) doit être une "
        "probabilité dans [0, 1] : des logits au lieu de la sortie d'une Sigmoid (ou "
        "F.binary_cross_entropy_with_logits), des arguments inversés, ou des nan (un entraînement "
        "qui a divergé)",
        "the input of F.binary_cross_entropy (its 1st argument, the prediction) must be a "
        "probability in [0, 1]: logits instead of a Sigmoid's output (or "
        "F.binary_cross_entropy_with_logits), swapped arguments, or nan (a training that "
        "diverged)",
    ),
    (
        # "not enough values to unpack (expected 4, got 2)", "too many values to unpack": a
        # split along the wrong axis (blind round 9, TP06: an LSTM's gates chunked along the
        # batch) or a function returning another number of values.
        _UNPACK_NEEDLES,
        "vous décomposez (a, b, … = valeur) une valeur qui n'a pas ce nombre d'éléments : "
        "vérifiez l'axe du découpage (chunk, split, unbind : un lot (N, k·H) se découpe le long "
        "de dim=1, pas de l'axe des exemples) ou le nombre de valeurs que renvoie la fonction "
        "appelée",
        "you unpack (a, b, ... = value) a value that does not have that many elements: check "
        "the axis of the split (chunk, split, unbind: an (N, k·H) batch is split along dim=1, "
        "not the examples' axis) or the number of values the called function returns",
    ),
    (
        _SHAPE_NEEDLES,
        "les formes (shape) des tableaux ne sont pas compatibles : vérifiez les dimensions de "
        "vos tenseurs (print(x.shape)), l'axe des sommes/moyennes et les indices",
        "the array shapes do not match: check the dimensions of your tensors "
        "(print(x.shape)), the axis of sums/means and the indices",
    ),
    (
        ("'nonetype' object",),
        "une valeur vaut None : une fonction sans return, ou le résultat d'une opération en "
        "place (list.sort(), …) réutilisé",
        "a value is None: a function without return, or the result of an in-place operation "
        "(list.sort(), ...) used",
    ),
)


# The kind of error alone, when its text matched nothing above: a likely cause for the kinds
# that have one. ValueError and RuntimeError are left as they are (a student raises them on
# purpose, and PyTorch's own texts are matched above).
_BY_KIND: dict[str, tuple[str, str]] = {
    "IndexError": (
        "un indice dépasse la taille d'un tableau ou d'une liste : vérifiez les bornes de vos "
        "boucles et les tailles (print(x.shape))",
        "an index goes past the size of an array or a list: check your loops' bounds and the "
        "sizes (print(x.shape))",
    ),
    "KeyError": (
        "une clé absente d'un dictionnaire est lue : vérifiez le nom des clés",
        "a key missing from a dictionary is read: check the key names",
    ),
    "ZeroDivisionError": (
        "division par zéro : un compte ou une taille vaut 0 (liste vide, bin vide, lot vide)",
        "division by zero: a count or a size is 0 (empty list, empty bin, empty batch)",
    ),
    "AttributeError": (
        "un objet n'a pas l'attribut ou la méthode appelée : vérifiez son type (un tableau "
        "NumPy n'a pas .detach(), un tenseur n'a pas .astype())",
        "an object lacks the attribute or method called: check its type (a NumPy array has no "
        ".detach(), a tensor has no .astype())",
    ),
    "TypeError": (
        "un argument n'a pas le type attendu (tenseur, tableau, nombre), ou une fonction reçoit "
        "un mauvais nombre d'arguments : vérifiez les conversions et la signature",
        "an argument has the wrong type (tensor, array, number), or a function gets the wrong "
        "number of arguments: check the conversions and the signature",
    ),
    "UnboundLocalError": (
        "une variable locale est lue avant d'avoir reçu une valeur (une branche du code ne "
        "l'affecte pas)",
        "a local variable is read before it is assigned (a branch of the code never sets it)",
    ),
    "RecursionError": (
        "la fonction s'appelle elle-même sans fin (récursion infinie)",
        "the function calls itself without end (infinite recursion)",
    ),
    "OverflowError": (
        "un calcul déborde (exp d'un grand nombre, par exemple) : soustrayez le maximum avant "
        "exp, ou calculez en log",
        "a computation overflows (exp of a large number, say): subtract the maximum before exp, "
        "or compute in log space",
    ),
}


# "'X' object has no attribute 'y'": the type whose attribute is missing decides the cause.
_MISSING_ATTRIBUTE = re.compile(r"^'([\w.<>]+)' object has no attribute '(\w+)'")

#: The types of values (arrays, tensors, numbers, containers, functions) whose missing
#: attribute is a type mix-up (a NumPy array's .detach(), a tensor's .astype()); any other
#: type is an object with attributes of its own: a model, a layer, a class.
_VALUE_TYPES = frozenset({
    "Tensor", "Parameter", "list", "tuple", "dict", "set", "frozenset", "str", "bytes",
    "bytearray", "int", "float", "complex", "bool", "range", "slice", "function", "method",
    "builtin_function_or_method", "method-wrapper", "generator", "map", "zip", "filter",
    "enumerate", "reversed", "dict_keys", "dict_values", "dict_items", "odict_keys",
    "odict_values", "odict_items", "list_iterator", "tuple_iterator", "memoryview",
})


def missing_attribute(evalue: str) -> tuple[str, str] | None:
    """(type, attribute) of an AttributeError's text "'X' object has no attribute 'y'" when X
    is an object with attributes of its own (a model, a layer, a class), not a value (an
    array, a tensor, a number, a container, a function), whose missing attribute is a type
    mix-up; None otherwise."""
    found = _MISSING_ATTRIBUTE.match(evalue)
    if found is None:
        return None
    kind, attribute = found.groups()
    if kind in _VALUE_TYPES or kind.startswith(("numpy.", "torch.", "builtins.", "collections.")):
        return None
    return kind, attribute


def _object_attribute_cause(evalue: str) -> tuple[str, str] | None:
    """The cause of "'X' object has no attribute 'y'" when X is not a value: an object with
    attributes of its own (a model, a layer) that lacks one the code assumes. The grader hands
    in its own models, which have what the statement guarantees only (blind round 16, TP10: a
    hook on `modele.conv2`, a layer of the notebook's model, was told about NumPy arrays and
    tensors). None for value types: their cause is a type mix-up, said by the kind of error."""
    found = missing_attribute(evalue)
    if found is None:
        return None
    kind, attribute = found
    return (
        f"un objet de type {kind} n'a pas l'attribut `{attribute}` que votre code utilise : si "
        "cet objet vous est passé en argument (un modèle, une couche), votre fonction suppose un "
        "attribut que l'énoncé ne garantit pas ; les objets du correcteur n'ont que les "
        "attributs et méthodes que l'énoncé leur donne (pas forcément les couches ni les noms "
        "d'un exemple du notebook) : n'utilisez que ceux-là ; sinon, vérifiez le nom de "
        "l'attribut",
        f"an object of type {kind} lacks the attribute `{attribute}` your code uses: if that "
        "object is passed to you as an argument (a model, a layer), your function assumes an "
        "attribute the statement does not guarantee; the grader's objects have only the "
        "attributes and methods the statement gives them (not necessarily the layers or names "
        "of an example in the notebook): use only those; otherwise, check the attribute's name",
    )


# A whole number standing alone in an error's text (a size, a shape's entry, an axis), not a
# part of a name (float32, conv2, x1), of a decimal number nor of an exponent (1e-5).
_NUMBER = re.compile(r"(?<![\w.])(?<![eE][-+])\d+(?![\w.])")


def without_sizes(text: str) -> str:
    """An error's text with every number standing alone replaced by `n`: the sizes that PyTorch
    and NumPy write in a shape error ("shape '[1, 1, 8, 8]' is invalid for input of size 160",
    "The size of tensor a (5) must match the size of tensor b (9)") are those of the inputs it
    was called with, which a hidden check must not show (blind round 20, TP10: the hidden
    images' C·H·W and the grader CNN's numbers of maps). Names (float32, conv2) are kept."""
    return _NUMBER.sub("n", text)


def explained_elsewhere(evalue: str) -> bool:
    """Whether an error's text shows a known cause other than a shape mismatch (the truth value
    of a tensor, `if b:`; the computation graph; a dtype; a device; a None): the premise of a
    check's shape hint does not hold, the cause is said instead."""
    text = evalue.lower()
    for needles, _, _ in _CAUSES:
        if any(n in text for n in needles):
            return needles is not _SHAPE_NEEDLES and needles is not _UNPACK_NEEDLES
    return False


def explain_student_error(label: str, ename: str, evalue: str) -> Message:
    """The message for an error raised in the student's `label`: the likely cause in French
    (shapes, dtype, device, requires_grad) when the error text shows one, the original kept."""
    text = evalue.lower()
    for needles, cause_fr, cause_en in _CAUSES:
        if any(n in text for n in needles):
            return Message(
                f"`{label}` a levé {ename} : {cause_fr} (message d'origine : {evalue})",
                f"`{label}` raised {ename}: {cause_en} (original message: {evalue})",
            )
    if ename == "NameError":
        return Message(
            f"`{label}` a levé NameError : votre code utilise un nom qui n'existe pas (faute de "
            f"frappe, ou cellule qui le définit non exécutée) ({evalue})",
            f"`{label}` raised NameError: your code uses a name that does not exist (a typo, "
            f"or the cell defining it was not run) ({evalue})",
        )
    if ename == "AttributeError" and (cause := _object_attribute_cause(evalue)) is not None:
        return Message(
            f"`{label}` a levé AttributeError : {cause[0]} (message d'origine : {evalue})",
            f"`{label}` raised AttributeError: {cause[1]} (original message: {evalue})",
        )
    if ename in _BY_KIND:
        cause_fr, cause_en = _BY_KIND[ename]
        return Message(
            f"`{label}` a levé {ename} : {cause_fr} (message d'origine : {evalue})",
            f"`{label}` raised {ename}: {cause_en} (original message: {evalue})",
        )
    return Message(f"`{label}` a levé {ename} : {evalue}", f"`{label}` raised {ename}: {evalue}")
