"""TP05's code shared by its public and hidden checks."""

from autograder.checks import kernel_side


# The grader's answers that the loss and the training use: each item is graded against
# them, so that a mistake in q_echantillon or perte_debruitage costs points once.
# Each is named as the notebook's answer it stands for, so that an error in a student's call
# (a missing argument) reads the same as with their own function.
@kernel_side
def q_echantillon(x0, t, bruit, alphas_bar):
    import torch

    a = alphas_bar[t].unsqueeze(1)
    return torch.sqrt(a) * x0 + torch.sqrt(1.0 - a) * bruit


@kernel_side(uses=(q_echantillon,))
def perte_debruitage(modele, x0, t, bruit, alphas_bar):
    import torch.nn.functional as F

    return F.mse_loss(modele(q_echantillon(x0, t, bruit, alphas_bar), t), bruit)


#: What the training is run with: the grader's q_echantillon and loss.
REFERENCES = {"q_echantillon": q_echantillon, "perte_debruitage": perte_debruitage}
