"""TP02's code shared by its public and hidden checks."""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed

# The grader's MLPDeuxCouches: `entrainer_sgd` is graded with it in place of the student's
# (graded in its own item), so that a mistake in the module costs points once.
MLP_REFERENCE = {
    "MLPDeuxCouches": """
import torch as _ag_torch


class MLPDeuxCouches(_ag_torch.nn.Module):
    def __init__(self, d_in, d_cache, d_out):
        super().__init__()
        self.fc1 = _ag_torch.nn.Linear(d_in, d_cache)
        self.fc2 = _ag_torch.nn.Linear(d_cache, d_out)

    def forward(self, x):
        return self.fc2(_ag_torch.relu(self.fc1(x)))
""",
}

def clamped_at_zero(outputs) -> bool:
    """Outputs of a model that ends with a ReLU (or another activation clamping at 0) after its
    last nn.Linear: every value >= 0 and some exactly 0. Trained logits are never exactly 0
    (probability zero in floating point), and a correct model's logits need not be >= 0."""
    out = np.asarray(outputs, dtype=float)
    return bool(out.size and np.all(np.isfinite(out)) and np.all(out >= 0) and np.any(out == 0))


#: What diagnostic_courbe may answer.
LABELS = ("divergence", "sous-apprentissage", "sur-apprentissage", "sain")


def curve_label(value: object) -> str:
    """diagnostic_courbe's answer, one of LABELS (case and spaces aside)."""
    if not isinstance(value, str) or value.strip().lower() not in LABELS:
        shown = repr(value)[:40] if isinstance(value, str) else type(value).__name__
        raise CheckFailed(
            f"diagnostic_courbe doit renvoyer l'une des chaînes {', '.join(LABELS)} ; obtenu {shown}",
            f"diagnostic_courbe must return one of the strings {', '.join(LABELS)}; got {shown}",
        )
    return value.strip().lower()
