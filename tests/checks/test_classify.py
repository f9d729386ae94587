"""checks.classify: the grader's digits, a model's logits checked for shape, its accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed, accuracy, as_logits, digits, digits_split


def test_digits_are_scaled_rows_or_images_with_integer_labels():
    X, y = digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    images, _ = digits(images=True)
    assert images.shape == (1797, 1, 8, 8)
    assert np.array_equal(images.reshape(len(X), -1), X)


def test_the_split_is_stratified_fixed_by_its_seed_and_in_the_asked_dtype():
    X_train, X_test, y_train, y_test = digits_split(2026)
    assert len(X_test) == 540 and len(X_train) == 1257
    assert np.array_equal(np.bincount(y_test), np.bincount(digits_split(2026)[3]))
    assert abs(np.bincount(y_test)[0] / len(y_test) - np.bincount(y_train)[0] / len(y_train)) < 0.01
    assert not np.array_equal(X_test, digits_split(7)[1]), "another seed, another split"
    images = digits_split(2026, images=True, dtype=np.float32)
    assert images[1].shape == (540, 1, 8, 8) and images[1].dtype == np.float32
    assert np.array_equal(images[3], y_test)


def test_accuracy_counts_the_argmax_and_nan_counts_as_wrong():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 0.0], [0.0, 1.0]])
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.75
    logits[0, 0] = np.nan
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.0
    logits[0, 0] = np.inf
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.0


def test_as_logits_checks_one_row_per_example_and_one_column_per_class():
    got = as_logits([[0.0] * 10] * 4, "creer_cnn", batch_shape=(4, 1, 8, 8), classes=10)
    assert got.shape == (4, 10)
    assert np.isnan(as_logits([[np.nan, 1.0]], "m", batch_shape=(1, 2), classes=2)).any()
    with pytest.raises(CheckFailed) as info:
        as_logits(np.zeros((4, 1, 10)), "creer_cnn", batch_shape=(4, 1, 8, 8), classes=10)
    assert info.value.message.fr == (
        "le modèle de creer_cnn() donne des logits de forme (4, 1, 10) pour un lot (4, 1, 8, 8) : "
        "(4, 10) attendu"
    )
    assert info.value.message.en == (
        "the model from creer_cnn() gives logits of shape (4, 1, 10) for a (4, 1, 8, 8) batch: "
        "(4, 10) expected"
    )
    with pytest.raises(CheckFailed, match="logits de creer_mlp"):
        as_logits("pas un tableau", "creer_mlp", batch_shape=(4, 64), classes=10)
