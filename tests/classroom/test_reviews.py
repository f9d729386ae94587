"""The review line students and the gradebook see (autograder.classroom.reviews)."""

from __future__ import annotations

from autograder.classroom.reviews import review_text


def test_a_reviewed_item_shows_the_automatic_score_the_instructors_and_the_comment():
    items = ({"item": "grad_f", "auto_score": 1.0, "score": 1.5, "manual_score": 1.5, "comment": "bien  vu"},)
    assert review_text(items, None, "fr") == "grad_f 1 → 1,5 « bien vu »"
    assert review_text(items, None, "en") == 'grad_f 1 → 1.5 "bien vu"'


def test_items_to_grade_by_hand_are_listed_after_the_reviews():
    assert review_text((), {"essai": 2.0}, "fr") == "essai à corriger à la main (2 pts)"
    assert review_text((), {"essai": 2.0}, "en") == "essai to be graded by hand (2 pts)"
