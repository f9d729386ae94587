"""TP02's code shared by its public and hidden checks."""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, SubmissionError, kernel_side

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


@kernel_side
def last_linear_and_output(model, X):
    """One forward pass on X (eval mode, no gradient): the output of the last nn.Linear it
    called and the model's output, as lists (None where there is none)."""
    import torch

    first = next(iter(model.parameters()), None)
    x = torch.as_tensor(X, dtype=first.dtype if first is not None else torch.float32)
    vus = []

    def crochet(m, entree, sortie):
        if torch.is_tensor(sortie):
            vus.append(sortie.detach().double().tolist())

    crochets = [m.register_forward_hook(crochet) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    try:
        model.eval()
        with torch.no_grad():
            sortie = model(x)
    finally:
        for c in crochets:
            c.remove()
    return {"linear": vus[-1] if vus else None,
            "out": sortie.detach().double().tolist() if torch.is_tensor(sortie) else None}


def bounded_after_last_linear(submission, model, X) -> bool:
    """Premise of the "bounded output" message: the model returns a bounded function (tanh,
    hardtanh, softsign: values in [-1, 1]) of its last nn.Linear's output, read in the kernel
    from that layer's output and the model's (a mechanism, not the values alone: a correct
    model trained with a squared error may also keep its outputs in [-1, 1]). A model that
    returns its last nn.Linear's output (the statement's logits) never matches: the function
    must change some value by more than 1e-3."""
    try:
        got = last_linear_and_output.call(submission, model, np.asarray(X, dtype=np.float64))
        lin = np.asarray(got["linear"], dtype=np.float64)
        out = np.asarray(got["out"], dtype=np.float64)
    except (SubmissionError, KeyError, TypeError, ValueError):
        return False
    if lin.shape != out.shape or not lin.size or not (np.all(np.isfinite(lin)) and np.all(np.isfinite(out))):
        return False
    if np.abs(out - lin).max() <= 1e-3 or np.abs(out).max() > 1.0:
        return False
    return any(
        bool(np.allclose(out, f(lin), rtol=1e-4, atol=1e-5))
        for f in (np.tanh, lambda v: np.clip(v, -1.0, 1.0), lambda v: v / (1.0 + np.abs(v)))
    )


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
