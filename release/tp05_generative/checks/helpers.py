"""TP05's code shared by its public and hidden checks."""

# The grader's answers that the loss and the training use: each item is graded against
# them, so that a mistake in q_echantillon or perte_debruitage costs points once.
REF_Q = """
def q_echantillon(x0, t, bruit, alphas_bar):
    import torch
    a = alphas_bar[t].unsqueeze(1)
    return torch.sqrt(a) * x0 + torch.sqrt(1.0 - a) * bruit
"""
REF_LOSS = """
def perte_debruitage(modele, x0, t, bruit, alphas_bar):
    import torch.nn.functional as F
    return F.mse_loss(modele(q_echantillon(x0, t, bruit, alphas_bar), t), bruit)
"""
