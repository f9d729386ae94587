"""The similarity normaliser: a renamed, reformatted, commented copy gives the same tokens."""

from __future__ import annotations

from autograder.classroom.similarity import tokens, winnowing
from tests.classroom.similarity.students import INDEPENDENT


def texts(source: str) -> list[str]:
    return [t.text for t in tokens.normalize(source)]




ORIGINAL = '''def erreur_relative(a, b):
    """max |a - b| / max(1e-8, |a| + |b|)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    denom = np.maximum(1e-8, np.abs(a) + np.abs(b))
    return float(np.max(np.abs(a - b) / denom))
'''

DISGUISED = """def erreur_relative(u, v):
    # on convertit d'abord en tableaux
    u = np.asarray(u,dtype = float) ; v = np.asarray(
        v,
        dtype=float,
    )
    bas = np.maximum(0.00000001,   np.abs(u) + np.abs(v))   # jamais nul

    return float(np.max(np.abs(u - v) / bas))  # erreur max
"""

OTHER_ALGORITHM = """def erreur_relative(a, b):
    a, b = np.ravel(a), np.ravel(b)
    worst = 0.0
    for i in range(a.size):
        worst = max(worst, abs(a[i] - b[i]) / max(1e-8, abs(a[i]) + abs(b[i])))
    return worst
"""


def test_renamed_reformatted_commented_code_gives_the_same_tokens():
    assert texts(ORIGINAL) == texts(DISGUISED)
    assert tokens.normalized_text(ORIGINAL).startswith(
        "def V ( V , V ) : V = np . asarray ( V , dtype"
    )


def test_different_algorithms_give_different_tokens():
    assert texts(ORIGINAL) != texts(OTHER_ALGORITHM)
    assert winnowing.jaccard(winnowing.fingerprints(ORIGINAL), winnowing.fingerprints(OTHER_ALGORITHM)) < 0.2
    backward_a = INDEPENDENT["alice"]["mlp_backward"]
    backward_d = INDEPENDENT["david"]["mlp_backward"]  # einsum and a loop for the one-hot
    assert winnowing.jaccard(winnowing.fingerprints(backward_a), winnowing.fingerprints(backward_d)) < 0.2


def test_what_is_kept_and_what_is_mapped():
    toks = texts("def f(x):\n    return np.zeros_like(x, dtype=float).sum(axis=0) + len(x)\n")
    # keywords, module aliases, attributes, keyword arguments, builtins kept; names -> V
    assert (
        toks
        == (
            "def V ( V ) : return np . zeros_like ( V , dtype = float ) . sum ( axis = 0.0 ) + len ( V )"
        ).split()
    )
    assert texts("import numpy as np\nfrom torch import nn") == (
        "import numpy as np ; from torch import nn".split()
    )
    # a default value in a signature is a parameter name, not an API keyword
    assert texts("def g(h=1):\n    pass")[:6] == ["def", "V", "(", "V", "=", "1.0"]


def test_docstrings_comments_strings_and_magics():
    a = 'def f(x):\n    """Doc."""\n    "also a bare string"\n    return x["W1"]  # c\n'
    b = "%timeit f(1)\n!ls\ndef f(y):\n    return y['autre clé']\n"
    assert texts(a) == texts(b) == "def V ( V ) : return V [ S ]".split()


def test_cells_that_do_not_tokenize_fall_back_to_whitespace_insensitive_tokens():
    broken_a = "def f(x):\n    return (x +\n        2 * x"  # unterminated bracket
    broken_b = "def f(z):   # other name\n    return (z + 2*z"
    assert texts(broken_a) == texts(broken_b) == "def V ( V ) : return ( V + 2.0 * V".split()
    bad_indent = "if x:\n        a = 1\n    b = 2\n"  # IndentationError in tokenize
    assert texts(bad_indent) == "if V : V = 1.0 ; V = 2.0".split()
    # the fallback follows the same rules as tokenize on code both accept
    assert [t.text for t in tokens._fallback_tokens(ORIGINAL)] == texts(ORIGINAL)
    assert [t.text for t in tokens._fallback_tokens(DISGUISED)] == texts(DISGUISED)


# -- winnowing -------------------------------------------------------------------------------
