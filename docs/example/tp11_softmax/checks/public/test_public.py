"""Public checks of tp11_softmax: the notebook's own example, which students see."""

import numpy as np
import pytest

from autograder.checks import assert_close

Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
# Public checks ship to students: the expected values are written out, never computed by a
# reference implementation (it would be the answer).
SOFTMAX_Z = np.array([[0.09003057317038046, 0.24472847105479764, 0.6652409557748219], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.item("softmax", points=1)
def test_softmax_exemple(submission):
    assert_close(
        submission.call("softmax", Z), SOFTMAX_Z, name="softmax(Z_EXEMPLE)",
        hint_fr="chaque ligne est une distribution : exp(Z) divisé par la somme de sa ligne (axis=1)",
        hint_en="each row is a distribution: exp(Z) divided by its row's sum (axis=1)",
    )


@pytest.mark.item("entropie", points=1)
def test_entropie_exemple(submission):
    P = np.array([[0.2, 0.3, 0.5], [0.25, 0.25, 0.5]])
    assert_close(
        submission.call("entropie_croisee", P, np.array([2, 0])), -np.mean(np.log([0.5, 0.25])),
        name="entropie_croisee(P, Y_EXEMPLE)",
        hint_fr="prenez P[i, y[i]] pour chaque exemple i, puis la moyenne de -log",
        hint_en="take P[i, y[i]] for each example i, then the mean of -log",
    )
