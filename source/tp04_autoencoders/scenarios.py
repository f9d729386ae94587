"""Realistic wrong answers for TP04, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points. `message_contains` are
substrings of the French message of at least one of those checks: the hint that names
the fault. `affects` lists other items that may lose points as a consequence. None here: the checks
of perte_vae run it against the grader's KL, and those of entrainer_vae against the
grader's reparametrisation, KL and loss, so one mistake costs points in its own item.
"""

from __future__ import annotations

from autograder.prove import Correct, Scenario, edit, solution_cell, solution_with_docs

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ dense autoencoder
    "submission-ae-decoder-without-sigmoid": Scenario(
        grade_id="ae_classe",
        source=edit(solution_with_docs(__file__, 'ae_classe', 'Le décodeur finit par un Linear : des sorties hors de [0, 1].'),
            ('        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n',
             '        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d))\n')),
        must_fail=("test_ae_classe_shapes",),
        message_contains=("Sigmoid",),
    ),
    "submission-ae-no-training": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', 'Calcule la perte et les gradients, mais oublie optimiseur.step().'),
            ('            optimiseur.step()\n',
             '')),
        must_fail=("test_entrainer_ae_trains", "test_entrainer_ae_reconstruction"),
        message_contains=("optimiseur.step()", "les paramètres n'ont pas changé"),
    ),
    # ------------------------------------------------------------ linear autoencoder
    "submission-linear-ae-with-relu": Scenario(
        grade_id="ae_lineaire",
        source=edit(solution_with_docs(__file__, 'ae_lineaire', "Une ReLU s'est glissée entre l'encodeur et le décodeur."),
            ('        return self.decodeur(self.encodeur(x))\n',
             '        return self.decodeur(torch.relu(self.encodeur(x)))\n')),
        must_fail=("test_ae_lineaire_is_affine", "test_ae_lineaire_matches_pca"),
        message_contains=("n'est pas linéaire", "ReLU"),
    ),
    # ------------------------------------------------------------ denoising
    "submission-denoiser-trained-on-clean": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', 'Tire le bruit mais entraîne sur les images propres (x → x).'),
            ('            perte = F.mse_loss(modele(bruite), lot)\n',
             '            perte = F.mse_loss(modele(lot), lot)\n')),
        must_fail=("test_debruiteur_beats_identity", "test_entrainer_debruiteur_noise"),
        message_contains=("entrée BRUITÉE", "cible PROPRE", "images bruitées"),
    ),
    # ------------------------------------------------------------ anomaly detection
    "submission-anomaly-score-inverted": Scenario(
        grade_id="anomalie",
        source=edit(solution_with_docs(__file__, 'anomalie', "Un score de « normalité » : l'opposé de l'erreur de reconstruction."),
            ('        return ((X - modele(X)) ** 2).mean(dim=1)\n',
             '        return -((X - modele(X)) ** 2).mean(dim=1)\n')),
        must_fail=("test_score_anomalie_fixed_models", "test_score_anomalie_auroc", "test_score_anomalie_values"),
        message_contains=("votre score est inversé", "mauvais SIGNE"),
    ),
    # ------------------------------------------------------------ transposed convolution
    "submission-convtranspose-formula-missing-output-padding": Scenario(
        grade_id="convtranspose_taille",
        source=edit(solution_with_docs(__file__, 'convtranspose_taille', 'Oublie output_padding.'),
            ('    return (w_in - 1) * s - 2 * p + k + output_padding\n',
             '    return (w_in - 1) * s - 2 * p + k\n')),
        must_fail=(
            "test_taille_sortie_convtranspose_examples",
            "test_taille_sortie_convtranspose_random",
        ),
        message_contains=("vous oubliez output_padding",),
    ),
    "submission-convae-missing-output-padding": Scenario(
        grade_id="ae_conv",
        source=edit(solution_with_docs(__file__, 'ae_conv', 'Décodeur sans output_padding : 2 → 3 → 5 au lieu de 2 → 4 → 8.'),
            ('            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),\n            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),\n',
             '            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1), nn.ReLU(),\n            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1), nn.Sigmoid(),\n')),
        must_fail=("test_ae_conv_shapes",),
        message_contains=("output_padding",),
    ),
    # ------------------------------------------------------------ VAE: reparameterisation
    "submission-reparam-detached-sample": Scenario(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    """Tire z sous torch.no_grad() : « on ne dérive pas un tirage aléatoire »."""
    with torch.no_grad():
        if eps is None:
            eps = torch.randn_like(mu)
        return mu + torch.exp(0.5 * logvar) * eps
''',
        must_fail=("test_reparametrisation_gradients",),
        message_contains=("les gradients ne peuvent pas atteindre μ et log σ²",),
    ),
    "submission-reparam-std-is-exp-logvar": Scenario(
        grade_id="reparametrisation",
        source=edit(solution_with_docs(__file__, 'reparametrisation', "σ = exp(logvar) : c'est σ², pas σ."),
            ('    return mu + torch.exp(0.5 * logvar) * eps\n',
             '    return mu + torch.exp(logvar) * eps\n')),
        must_fail=(
            "test_reparametrisation_fixed_eps",
            "test_reparametrisation_values",
            "test_reparametrisation_gradients",
        ),
        message_contains=("vous utilisez exp(logvar)",),
    ),
    # ------------------------------------------------------------ VAE: KL
    "submission-kl-sign-error": Scenario(
        grade_id="kl",
        source=edit(solution_with_docs(__file__, 'kl', 'Oublie le signe moins devant ½.'),
            ('    return -0.5 * torch.sum(1 + logvar - mu**2 - torch.exp(logvar), dim=1)\n',
             '    return 0.5 * torch.sum(1 + logvar - mu**2 - torch.exp(logvar), dim=1)\n')),
        must_fail=("test_kl_simple_cases", "test_kl_closed_form", "test_kl_matches_monte_carlo"),
        message_contains=("le signe est inversé",),
    ),
    "submission-kl-sigma-instead-of-logvar": Scenario(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """Prend le 2e argument pour σ : log σ² = log(logvar²), σ² = logvar²."""
    sigma = logvar
    return -0.5 * torch.sum(1 + torch.log(sigma**2) - mu**2 - sigma**2, dim=1)
''',
        must_fail=("test_kl_simple_cases", "test_kl_closed_form", "test_kl_matches_monte_carlo"),
        message_contains=("le 2e argument est log σ² (logvar), pas σ",),
    ),
    "submission-kl-missing-sum-over-latent": Scenario(
        grade_id="kl",
        source=edit(solution_with_docs(__file__, 'kl', 'KL de chaque dimension latente, sans la somme : forme (N, k).'),
            ('    return -0.5 * torch.sum(1 + logvar - mu**2 - torch.exp(logvar), dim=1)\n',
             '    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar))\n')),
        must_fail=("test_kl_simple_cases", "test_kl_closed_form", "test_kl_matches_monte_carlo"),
        message_contains=("il manque la somme sur les k dimensions latentes",),
    ),
    # ------------------------------------------------------------ VAE: ELBO
    "submission-elbo-bce-mean-over-pixels": Scenario(
        grade_id="elbo",
        source='''def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    """BCE moyennée sur les pixels (reduction par défaut) au lieu d'être sommée."""
    reconstruction = F.binary_cross_entropy(x_hat, x)
    return reconstruction + beta * kl_gaussienne(mu, logvar).mean()
''',
        must_fail=("test_perte_vae_simple_case", "test_perte_vae_matches_reference"),
        message_contains=("sommez la BCE sur les pixels",),
    ),
    # ------------------------------------------------------------ VAE: effect of β
    "submission-vae-beta-ignored": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', 'Oublie de passer beta à perte_vae : β vaut toujours 1.'),
            ('            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n',
             '            perte = perte_vae(lot, x_hat, mu, logvar)\n')),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("passez beta à perte_vae",),
    ),
}

# Scenarios graded together in one notebook: within a group they touch different items
# whose checks are independent (the grader builds its own models and references). A KL,
# ELBO or reparameterisation mistake also breaks the VAE training, so those go in groups
# without the β scenario.
GROUPS: dict[str, tuple[str, ...]] = {
    "mistakes-1": (
        "submission-ae-decoder-without-sigmoid",
        "submission-ae-no-training",
        "submission-linear-ae-with-relu",
        "submission-denoiser-trained-on-clean",
        "submission-anomaly-score-inverted",
        "submission-convtranspose-formula-missing-output-padding",
        "submission-convae-missing-output-padding",
        "submission-vae-beta-ignored",
    ),
    "kl-sign": ("submission-kl-sign-error", "submission-reparam-detached-sample"),
    "kl-sigma": ("submission-kl-sigma-instead-of-logvar", "submission-reparam-std-is-exp-logvar"),
    "kl-sum": ("submission-kl-missing-sum-over-latent",),
    "elbo-mean": ("submission-elbo-bce-mean-over-pixels",),
}

# Wrong answers written by testers who never saw the checks (issue 12): each kept its points
# before the checks tested the mechanism (activations, the noise drawn, the data used, the
# dependencies graded against the grader's reference) rather than the outcome alone.
SCENARIOS.update({
    "submission-ae-encoder-missing-relu": Scenario(
        grade_id="ae_classe",
        source=edit(solution_with_docs(__file__, 'ae_classe', "Oublie la ReLU de l'encodeur : d → k est affine."),
            ('        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n',
             '        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.Linear(h, k))\n')),
        must_fail=("test_ae_classe_architecture",),
        message_contains=("encode", "activation"),
    ),
    "submission-ae-train-reads-notebook-data": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', "Entraîne sur X_train_t du notebook au lieu de l'argument X."),
            ('    X = torch.as_tensor(X, dtype=torch.float32)\n',
             ''),
            ('        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut : debut + batch_size]]\n',
             '        ordre = torch.randperm(len(X_train_t), generator=g)\n        for debut in range(0, len(X_train_t), batch_size):\n            lot = X_train_t[ordre[debut : debut + batch_size]]\n')),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("X reçu",),
    ),
    "submission-denoiser-uniform-noise": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', "Bruit uniforme centré (torch.rand) au lieu d'un bruit gaussien."),
            ('            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n',
             '            bruite = lot + sigma * (torch.rand(lot.shape, generator=g) - 0.5)\n')),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("gaussien",),
    ),
    "submission-reparam-uniform-noise": Scenario(
        grade_id="reparametrisation",
        source=edit(solution_with_docs(__file__, 'reparametrisation', 'Tire eps avec torch.rand_like : uniforme sur [0, 1), pas N(0, I).'),
            ('        eps = torch.randn_like(mu)\n',
             '        eps = torch.rand_like(mu)\n')),
        must_fail=("test_reparametrisation_draws_normal_noise",),
        message_contains=("torch.randn_like",),
    ),
    "submission-kl-through-numpy": Scenario(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """Calcule la KL en NumPy puis la remet dans un tenseur : plus de gradient."""
    m, lv = mu.detach().numpy(), logvar.detach().numpy()
    return torch.tensor(-0.5 * np.sum(1 + lv - m**2 - np.exp(lv), axis=1))
''',
        must_fail=("test_kl_gradients",),
        message_contains=("gradient",),
    ),
    "submission-elbo-returns-python-float": Scenario(
        grade_id="elbo",
        source=edit(solution_with_docs(__file__, 'elbo', 'Renvoie perte.item() : un float Python, sans graphe de calcul.'),
            ('    return (reconstruction + beta * kl_gaussienne(mu, logvar)).mean()\n',
             '    return (reconstruction + beta * kl_gaussienne(mu, logvar)).mean().item()\n')),
        must_fail=("test_perte_vae_gradients",),
        message_contains=("tenseur",),
    ),
    "submission-vae-ignores-k": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', 'Construit VAE(X.shape[1]) : k garde sa valeur par défaut (2).'),
            ('    modele = VAE(X.shape[1], k)\n',
             '    modele = VAE(X.shape[1])\n')),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("k",),
    ),
    "submission-convae-without-relu": Scenario(
        grade_id="ae_conv",
        source=edit(solution_with_docs(__file__, 'ae_conv', 'Aucune ReLU : seules les convolutions et la Sigmoid finale.'),
            ('            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),\n            nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU(),\n',
             '            nn.Conv2d(1, 8, 3, stride=2, padding=1),\n            nn.Conv2d(8, 4, 3, stride=2, padding=1),\n'),
            ('            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),\n',
             '            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1),\n')),
        must_fail=("test_ae_conv_architecture",),
        message_contains=("activation",),
    ),
})
GROUPS.update({
    "issue12-a": (
        "submission-ae-encoder-missing-relu",
        "submission-ae-train-reads-notebook-data",
        "submission-denoiser-uniform-noise",
        "submission-reparam-uniform-noise",
        "submission-kl-through-numpy",
        "submission-elbo-returns-python-float",
        "submission-vae-ignores-k",
        "submission-convae-without-relu",
    ),
})

SCENARIOS.update({
    "submission-ae-train-ignores-seed": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', "Mélange avec l'état global de torch : le seed n'est jamais utilisé."),
            ('    g = torch.Generator().manual_seed(seed)\n',
             ''),
            ('        ordre = torch.randperm(len(X), generator=g)\n',
             '        ordre = torch.randperm(len(X))\n')),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("même seed",),
    ),
    "submission-denoiser-noise-drawn-once": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', 'Bruite X une fois pour toutes avant la boucle : le même bruit à chaque époque.'),
            ('    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    X_bruite = X + sigma * torch.randn(X.shape, generator=g)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n'),
            ('            lot = X[ordre[debut : debut + batch_size]]\n            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n            perte = F.mse_loss(modele(bruite), lot)\n',
             '            idx = ordre[debut : debut + batch_size]\n            perte = F.mse_loss(modele(X_bruite[idx]), X[idx])\n')),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("nouveau bruit à chaque lot",),
    ),
})
GROUPS["issue12-b"] = ("submission-ae-train-ignores-seed", "submission-denoiser-noise-drawn-once")

# Alternative correct answers, written as students write them: each must keep full marks.
CORRECT: dict[str, Correct] = {
    "correct-ae-explicit-layers-functional": Correct(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, h), nn.Linear(h, k)
        self.fc3, self.fc4 = nn.Linear(k, h), nn.Linear(h, d)

    def encode(self, x):
        return self.fc2(F.relu(self.fc1(x)))

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        return self.decode(self.encode(x))
''',
        why="named layers and functional activations instead of nn.Sequential",
    ),
    "correct-ae-train-dataloader-prints": Correct(
        grade_id="ae_entrainement",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.tensor(X, dtype=torch.float32)
    chargeur = DataLoader(TensorDataset(X), batch_size=batch_size, shuffle=True, generator=g)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        total = 0.0
        for (lot,) in chargeur:
            opt.zero_grad()
            perte = ((modele(lot) - lot) ** 2).mean()
            perte.backward()
            opt.step()
            total += perte.item() * len(lot)
        if epoque % 5 == 0:
            with torch.no_grad():
                print(f"époque {epoque} : {total / len(X):.4f}, complète {F.mse_loss(modele(X), X).item():.4f}")
    return modele
''',
        why="DataLoader, loss by hand, a progress print that calls the model on all of X",
    ),
    "correct-denoiser-global-seed-randn-like": Correct(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    torch.manual_seed(seed)
    X = torch.as_tensor(X).float()
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    n = X.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, batch_size):
            propre = X[perm[i:i + batch_size]]
            bruit = torch.randn_like(propre) * sigma
            sortie = modele(propre + bruit)
            perte = F.mse_loss(sortie, propre)
            opt.zero_grad()
            perte.backward()
            opt.step()
    return modele
''',
        why="torch.manual_seed(seed) and the global generator (randn_like) instead of a Generator",
    ),
    "correct-anomaly-numpy-eval": Correct(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    modele.eval()
    X = torch.as_tensor(X, dtype=torch.float32)
    x_hat = modele(X).detach()
    return F.mse_loss(x_hat, X, reduction="none").mean(dim=1)
''',
        # It returned .numpy() until blind round 10: the statement asks for a tensor (N,) and
        # the notebook calls scores.numpy() on it (submission-anomalie-returns-numpy).
        why="eval(), detach instead of no_grad",
    ),
    "correct-convtranspose-dilation-form": Correct(
        grade_id="convtranspose_taille",
        source='''def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):
    # formule de la documentation PyTorch avec dilation = 1
    dilation = 1
    return int((w_in - 1) * s - 2 * p + dilation * (k - 1) + output_padding + 1)
''',
        why="PyTorch's documented formula with dilation",
    ),
    "correct-convae-functional-relu": Correct(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
        self.c2 = nn.Conv2d(8, 4, kernel_size=3, stride=2, padding=1)
        self.t1 = nn.ConvTranspose2d(4, 8, kernel_size=3, stride=2, padding=1, output_padding=1)
        self.t2 = nn.ConvTranspose2d(8, 1, kernel_size=3, stride=2, padding=1, output_padding=1)

    def encode(self, x):
        return F.relu(self.c2(F.relu(self.c1(x))))

    def forward(self, x):
        z = self.encode(x)
        return torch.sigmoid(self.t2(F.relu(self.t1(z))))
''',
        why="named layers and F.relu / torch.sigmoid",
    ),
    "correct-reparam-pytorch-example": Correct(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    std = logvar.mul(0.5).exp()
    if eps is None:
        eps = torch.randn_like(std)
    return eps.mul(std).add_(mu)
''',
        why="the PyTorch VAE example's in-place style",
    ),
    "correct-kl-float32-mean-form": Correct(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    mu, logvar = mu.float(), logvar.float()
    var = logvar.exp()
    kl_par_dim = 0.5 * (mu.pow(2) + var - 1.0 - logvar)
    return kl_par_dim.sum(-1)
''',
        why="float32 computation, the KL rearranged, sum over the last axis",
    ),
    "correct-elbo-sum-reduction-guarded-log": Correct(
        grade_id="elbo",
        source='''def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    n = x.shape[0]
    bce = -(x * torch.log(x_hat + 1e-8) + (1 - x) * torch.log(1 - x_hat + 1e-8)).sum() / n
    return bce + beta * kl_gaussienne(mu, logvar).sum() / n
''',
        why="BCE by hand with a guarded log, sums divided by the batch size",
    ),
    "correct-vae-dataloader": Correct(
        grade_id="vae_beta",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    torch.manual_seed(seed)
    donnees = TensorDataset(torch.as_tensor(X, dtype=torch.float32))
    modele = VAE(d=donnees.tensors[0].shape[1], k=k)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        for (lot,) in DataLoader(donnees, batch_size=batch_size, shuffle=True):
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta)
            opt.zero_grad()
            perte.backward()
            opt.step()
    print(f"β = {beta} : dernière perte {perte.item():.2f}")
    return modele
''',
        why="DataLoader with the global seed, beta passed positionally, a print",
    ),
}
CORRECT_GROUPS: dict[str, tuple[str, ...]] = {"correct-variants": tuple(CORRECT)}

SCENARIOS.update({
    "submission-ae-no-zero-grad": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', "Oublie optimiseur.zero_grad() : les gradients s'accumulent d'un lot à l'autre."),
            ('            optimiseur.zero_grad()\n',
             '')),
        # The recording model of the mechanism check sees each backward's gradients added to
        # the previous batch's (check_fresh_gradients; blind round 15).
        must_fail=("test_entrainer_ae_reconstruction", "test_entrainer_ae_uses_its_arguments"),
        message_contains=("zero_grad",),
    ),
    "submission-vae-no-zero-grad": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', 'Oublie optimiseur.zero_grad().'),
            ('            optimiseur.zero_grad()\n',
             '')),
        must_fail=("test_beta_reduces_kl", "test_entrainer_vae_batches_cover_the_epoch"),
        message_contains=("zero_grad",),
    ),
})
GROUPS["issue12-c"] = ("submission-ae-no-zero-grad", "submission-vae-no-zero-grad")

# Mutation survivors of a sample (80 of 346, sample seed 0).
_VAE_TRAIN = '''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """{doc}"""
{seed_line}    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    modele = VAE(X.shape[1], k)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut : {end}]]
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
    return modele
'''
SCENARIOS.update({
    "submission-convtranspose-default-stride-two": Scenario(
        grade_id="convtranspose_taille",
        source=edit(solution_with_docs(__file__, 'convtranspose_taille', 'Stride 2 par défaut (celui des décodeurs du TP) au lieu de 1.'),
            ('def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):\n',
             'def taille_sortie_convtranspose(w_in, k, s=2, p=0, output_padding=0):\n')),
        must_fail=("test_taille_sortie_convtranspose_random",),
        message_contains=("vérifiez les valeurs par défaut de la signature",),
    ),
    "submission-vae-unseeded-init": Scenario(
        grade_id="vae_beta",
        source=_VAE_TRAIN.format(
            doc="Seul le générateur des lots est graine : l'initialisation du VAE et le bruit ne le sont pas.",
            seed_line="",
            end="debut + batch_size",
        ),
        must_fail=("test_entrainer_vae_uses_its_seed",),
        message_contains=("même graine donnent deux modèles différents",),
    ),
    "submission-vae-batches-grow": Scenario(
        grade_id="vae_beta",
        source=_VAE_TRAIN.format(
            doc="Fin du lot debut * batch_size : les lots grandissent et se chevauchent.",
            seed_line="    torch.manual_seed(seed)\n",
            end="debut * batch_size",
        ),
        must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
        message_contains=("au plus batch_size",),
    ),
})
GROUPS["mutants-a"] = ("submission-convtranspose-default-stride-two", "submission-vae-unseeded-init")
GROUPS["mutants-b"] = ("submission-vae-batches-grow",)

# Mutation survivors of the same sample, second pass: a default changed in a signature the
# statement gives (the notebook leaves some arguments to them), and the convolutional
# encoder's first kernel.
SCENARIOS.update({
    "submission-ae-default-hidden-width-changed": Scenario(
        grade_id="ae_classe",
        source=edit(solution_with_docs(__file__, 'ae_classe', "h = 64 par défaut au lieu de 32 : « plus large, c'est mieux »."),
            ('    def __init__(self, d=64, k=2, h=32):\n',
             '    def __init__(self, d=64, k=2, h=64):\n')),
        must_fail=("test_ae_classe_shapes",),
        message_contains=("h n'a plus la valeur par défaut",),
    ),
    "submission-ae-train-default-lr-lowered": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', "lr = 1e-3 par défaut, « la valeur habituelle d'Adam », au lieu de 1e-2."),
            ('def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n',
             'def entrainer_ae(modele, X, epochs=15, lr=1e-3, batch_size=64, seed=0):\n')),
        must_fail=("test_entrainer_ae_trains",),
        message_contains=("lr n'a plus la valeur par défaut",),
    ),
    "submission-linear-ae-default-k-three": Scenario(
        grade_id="ae_lineaire",
        source=edit(solution_with_docs(__file__, 'ae_lineaire', 'k = 3 par défaut, comme les données synthétiques, au lieu de 2.'),
            ('    def __init__(self, d=64, k=2):\n',
             '    def __init__(self, d=64, k=3):\n')),
        must_fail=("test_ae_lineaire_is_affine",),
        message_contains=("k n'a plus la valeur par défaut",),
    ),
    "submission-denoiser-default-sigma-changed": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', 'sigma = 0.3 par défaut au lieu de 0.5.'),
            ('def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):\n',
             'def entrainer_debruiteur(modele, X, sigma=0.3, epochs=15, lr=1e-2, batch_size=64, seed=0):\n')),
        must_fail=("test_entrainer_debruiteur_trains",),
        message_contains=("sigma n'a plus la valeur par défaut",),
    ),
    "submission-conv-ae-first-kernel-four": Scenario(
        grade_id="ae_conv",
        source=edit(solution_with_docs(__file__, 'ae_conv', "Premier noyau 4×4 (« pair, pour un pas de 2 ») : 8×8 → 4×4 aussi, mais pas l'énoncé."),
            ('            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),\n',
             '            nn.Conv2d(1, 8, 4, stride=2, padding=1), nn.ReLU(),\n')),
        must_fail=("test_ae_conv_architecture",),
        message_contains=("ne correspond pas aux couches de l'énoncé",),
    ),
    "submission-elbo-default-beta-zero": Scenario(
        grade_id="elbo",
        source=edit(solution_with_docs(__file__, 'elbo', 'beta = 0 par défaut : sans argument, la KL disparaît de la perte.'),
            ('def perte_vae(x, x_hat, mu, logvar, beta=1.0):\n',
             'def perte_vae(x, x_hat, mu, logvar, beta=0.0):\n')),
        must_fail=("test_perte_vae_simple_case",),
        message_contains=("beta n'a plus la valeur par défaut",),
    ),
    "submission-vae-default-epochs-changed": Scenario(
        grade_id="vae_beta",
        source=_VAE_TRAIN.format(
            doc="epochs = 20 par défaut au lieu de 10.",
            seed_line="    torch.manual_seed(seed)\n",
            end="debut + batch_size",
        ).replace("epochs=10", "epochs=20"),
        must_fail=("test_entrainer_vae_uses_its_seed",),
        message_contains=("epochs n'a plus la valeur par défaut",),
    ),
    "submission-conv-ae-first-stride-three": Scenario(
        grade_id="ae_conv",
        source=edit(solution_with_docs(__file__, 'ae_conv', "Stride 3 dans la première convolution : 8×8 → 3×3 → 2×2, le même code, mais pas l'énoncé."),
            ('            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),\n',
             '            nn.Conv2d(1, 8, 3, stride=3, padding=1), nn.ReLU(),\n')),
        must_fail=("test_ae_conv_architecture",),
        message_contains=("au lieu des tailles de l'énoncé",),
    ),
})
GROUPS["mutants-c"] = (
    "submission-ae-default-hidden-width-changed", "submission-ae-train-default-lr-lowered",
    "submission-linear-ae-default-k-three", "submission-denoiser-default-sigma-changed",
    "submission-conv-ae-first-kernel-four", "submission-elbo-default-beta-zero",
    "submission-vae-default-epochs-changed",
)
GROUPS["mutants-d"] = ("submission-conv-ae-first-stride-three",)
EQUIVALENT: dict[str, str] = {
    # Values that carry no gradient, and independent statements.
    "ae_entrainement:DetachValue@4:8": "the data carry no gradient: detaching them changes nothing",
    "ae_entrainement:DetachValue@7:16": "a permutation of indices carries no gradient",
    "debruiteur:DetachValue@9:18": "the clean batch carries no gradient: detaching it changes nothing",
    "vae_beta:DetachValue@11:18": "the batch carries no gradient: detaching it changes nothing",
    "reparametrisation:DetachValue@4:14": "randn_like carries no gradient: detaching ε changes nothing",
    "debruiteur:SwapStatements@11:12": "the loss computed after zero_grad(): zero_grad clears gradients, not the graph",
    "ae_entrainement:SwapStatements@10:12": "the loss computed after zero_grad(): zero_grad clears gradients, not the graph",
    "ae_entrainement:DetachValue@9:18": "the batch carries no gradient: detaching it changes nothing",
    "vae_beta:SwapStatements@13:12": "zero_grad() after the forward pass: it clears gradients, not the graph",
    "vae_beta:DetachValue@9:16": "a permutation of indices carries no gradient",
    "vae_beta:SwapStatements@4:4": "X converted before the batch generator is built: independent",
    "vae_beta:SwapStatements@5:4": (
        "the VAE built before X is converted (X.shape is the same): still after torch.manual_seed"
    ),
    "anomalie:DetachValue@3:8": "X detached before a torch.no_grad() block: no gradient either way",
    "anomalie:DetachValue@5:15": "the score is computed under torch.no_grad(): detaching it changes nothing",
    "anomalie:DropStatement@3:4": (
        "no conversion of X: the statement hands score_anomalie a tensor (float32 like the "
        "model, in the notebook and the checks), which as_tensor would return unchanged"
    ),
    "debruiteur:DetachValue@7:16": "a permutation of indices carries no gradient",
    "ae_entrainement:SwapStatements@3:4": "the generator and the tensor built in the other order: independent",
    "debruiteur:SwapStatements@3:4": "the generator and the tensor built in the other order: independent",
    "debruiteur:SwapStatements@4:4": "the optimiser and the tensor built in the other order: independent",
    "vae_beta:SwapStatements@3:4": (
        "the batch generator built before torch.manual_seed: it has its own seed, independent"
    ),
    "ae_conv:SwapStatements@6:8": (
        "the decoder built before the encoder: another random initialisation of the same layers"
    ),
    "ae_lineaire:SwapStatements@6:8": (
        "the decoder built before the encoder: another random initialisation of the same "
        "linear autoencoder, trained to the same PCA subspace"
    ),
    # Batches within what the batch checks allow.
    "vae_beta:NumberReplacer@10:27": (
        "range(1, N, batch_size): one example skipped per epoch, another each epoch: less than "
        "dropping an incomplete last batch, which is allowed"
    ),
    "vae_beta:NumberReplacer@10:27#1": (
        "range(-1, N, batch_size): an empty first batch (zero gradients) and batch_size − 1 "
        "examples skipped per epoch, others each epoch: no more than dropping an incomplete last batch"
    ),
}

# Blind answers (issue 12, second round): written from the student view only; each
# false pass became a scenario, each correct answer a Correct variant.
SCENARIOS.update({
    "blind-ae_conv-encoder-last-relu-missing": Scenario(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.encodeur = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
                                      nn.Conv2d(8, 4, 3, stride=2, padding=1))
        self.decodeur = nn.Sequential(nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                      nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        return self.decodeur(self.encode(x))
''',
        must_fail=('test_ae_conv_architecture',),
        message_contains=('la première ConvTranspose2d reçoit des valeurs négatives',),
    ),
    "blind-ae_conv-decoder-relu-missing": Scenario(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.encodeur = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
                                      nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU())
        self.decodeur = nn.Sequential(nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1),
                                      nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        return self.decodeur(self.encode(x))
''',
        must_fail=('test_ae_conv_architecture',),
        message_contains=('la seconde ConvTranspose2d reçoit des valeurs négatives',),
    ),
    "blind-ae_entrainement-ignores-lr": Scenario(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    X = torch.as_tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters())
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            lot = X[idx]
            opt.zero_grad()
            F.mse_loss(modele(lot), lot).backward()
            opt.step()
    return modele
''',
        must_fail=('test_entrainer_ae_uses_its_arguments',),
        message_contains=('lr=lr',),
        # Adam's default lr (1e-3) trains less in 15 epochs: under some hidden inputs the
        # reconstruction bar is missed too (the lr argument is the fault named above).
        may_fail=('test_entrainer_ae_reconstruction',),
    ),
    "blind-debruiteur-ignores-lr": Scenario(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    X = torch.as_tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters())
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            lot = X[idx]
            bruite = lot + sigma * torch.randn(lot.shape, generator=g)
            opt.zero_grad()
            F.mse_loss(modele(bruite), lot).backward()
            opt.step()
    return modele
''',
        must_fail=('test_entrainer_debruiteur_noise',),
        message_contains=('lr=lr',),
    ),
    "blind-reparametrisation-modifies-mu-in-place": Scenario(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    if eps is None:
        eps = torch.randn_like(mu)
    with torch.no_grad():
        pass
    z = mu.clone() if mu.requires_grad else mu
    return z.add_(torch.exp(0.5 * logvar) * eps)
''',
        must_fail=('test_reparametrisation_values',),
        message_contains=('modifie sur place son argument mu',),
    ),
    "blind-vae_beta-trains-on-notebook-data": Scenario(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    torch.manual_seed(seed)
    modele = VAE(64, k)
    Xt = torch.as_tensor(X_train, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in torch.randperm(len(Xt), generator=g).split(batch_size):
            x = Xt[idx]
            x_hat, mu, logvar = modele(x)
            opt.zero_grad()
            perte_vae(x, x_hat, mu, logvar, beta=beta).backward()
            opt.step()
    return modele
''',
        must_fail=('test_entrainer_vae_batches_cover_the_epoch',),
        message_contains=('ne viennent pas du X reçu',),
    ),
})
GROUPS["blind-a"] = ('blind-ae_conv-encoder-last-relu-missing', 'blind-ae_entrainement-ignores-lr', 'blind-reparametrisation-modifies-mu-in-place', 'blind-vae_beta-trains-on-notebook-data')
GROUPS["blind-b"] = ('blind-ae_conv-decoder-relu-missing', 'blind-debruiteur-ignores-lr')
CORRECT.update({
    "blind-correct-ae-sequential-from-lists": Correct(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        couches_enc = [nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k)]
        couches_dec = [nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid()]
        self.encodeur = nn.Sequential(*couches_enc)
        self.decodeur = nn.Sequential(*couches_dec)

    def encode(self, x):
        return self.encodeur(x)

    def decode(self, z):
        return self.decodeur(z)

    def forward(self, x):
        z = self.encode(x)
        return self.decode(z)
''',
        why='nn.Sequential built from lists',
    ),
    "blind-correct-ae-train-while-loop-manual-mse": Correct(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    if isinstance(X, torch.Tensor):
        Xt = X.detach().clone().float()
    else:
        Xt = torch.tensor(np.asarray(X), dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N = Xt.shape[0]
    for ep in range(epochs):
        perm = torch.randperm(N, generator=g)
        debut = 0
        while debut < N:
            idx = perm[debut:debut + batch_size]
            lot = Xt[idx]
            opt.zero_grad()
            perte = ((modele(lot) - lot) ** 2).mean()
            perte.backward()
            opt.step()
            debut += batch_size
    return modele
''',
        why='while loop over a permutation, MSE written by hand, tensor or array input',
    ),
    "blind-correct-denoiser-set-to-none-prints": Correct(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    X = torch.as_tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    optim = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoch in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            propre = X[idx]
            bruit = torch.randn(propre.shape, generator=g)
            sortie = modele(propre + sigma * bruit)
            perte = F.mse_loss(sortie, propre)
            optim.zero_grad(set_to_none=True)
            perte.backward()
            optim.step()
            total += perte.item()
        if epoch == epochs - 1:
            print("dernière époque", total)
    return modele
''',
        why='split() batches, zero_grad(set_to_none=True), a print',
    ),
    "blind-correct-anomaly-eval-float64": Correct(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    modele.eval()
    with torch.no_grad():
        x_hat = modele(X)
        diff = (X - x_hat).reshape(X.shape[0], -1).double()
        return (diff * diff).mean(dim=1).float()
''',
        why='eval mode, float64 accumulation, cast back',
    ),
    "blind-correct-convtranspose-expanded": Correct(
        grade_id="convtranspose_taille",
        source='''def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):
    return int(w_in * s - s - 2 * p + k + output_padding)
''',
        why='w_in*s - s - 2p + k + op, int()',
    ),
    "blind-correct-convae-functional-relu": Correct(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(8, 4, 3, stride=2, padding=1)
        self.t1 = nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1)
        self.t2 = nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1)

    def encode(self, x):
        return torch.relu(self.c2(torch.relu(self.c1(x))))

    def forward(self, x):
        z = self.encode(x)
        return torch.sigmoid(self.t2(torch.relu(self.t1(z))))
''',
        why='layers as attributes, torch.relu/torch.sigmoid in forward',
    ),
    "blind-correct-reparam-sqrt-exp": Correct(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    if eps is None:
        eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device)
    sigma = torch.sqrt(torch.exp(logvar))
    return mu + sigma * eps
''',
        why='sigma = sqrt(exp(logvar)), torch.randn with dtype/device',
    ),
    "blind-correct-kl-float64": Correct(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    m = mu.double()
    lv = logvar.double()
    terme = 1 + lv - m.pow(2) - lv.exp()
    return (-0.5 * terme.sum(dim=-1)).to(mu.dtype)
''',
        why='computed in float64, cast back to the input dtype',
    ),
    "blind-correct-elbo-clamped-bce": Correct(
        grade_id="elbo",
        source='''def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    eps = 1e-7
    xh = x_hat.clamp(eps, 1 - eps)
    bce = -(x * torch.log(xh) + (1 - x) * torch.log(1 - xh)).sum(dim=1)
    return (bce + beta * kl_gaussienne(mu, logvar)).mean()
''',
        why='BCE by hand with clamp(1e-7, 1 - 1e-7)',
    ),
    "blind-correct-vae-split-batches": Correct(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    torch.manual_seed(seed)
    modele = VAE(64, k)
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for _ in range(epochs):
        for idx in torch.split(torch.randperm(X.shape[0], generator=g), batch_size):
            x = X[idx]
            x_hat, mu, logvar = modele(x)
            loss = perte_vae(x, x_hat, mu, logvar, beta=beta)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return modele
''',
        why='np.asarray then torch.split of a permutation',
    ),
    "blind-correct-linear-ae-named-code": Correct(
        grade_id="ae_lineaire",
        source='''class AutoEncodeurLineaire(nn.Module):
    def __init__(self, d=64, k=2):
        super().__init__()
        self.encodeur = nn.Linear(d, k)
        self.decodeur = nn.Linear(k, d)

    def forward(self, x):
        code = self.encodeur(x)
        return self.decodeur(code)
''',
        why='plain, intermediate variable',
    ),
})
CORRECT_GROUPS["blind-correct"] = ('blind-correct-ae-sequential-from-lists', 'blind-correct-ae-train-while-loop-manual-mse', 'blind-correct-denoiser-set-to-none-prints', 'blind-correct-anomaly-eval-float64', 'blind-correct-convtranspose-expanded', 'blind-correct-convae-functional-relu', 'blind-correct-reparam-sqrt-exp', 'blind-correct-kl-float64', 'blind-correct-elbo-clamped-bce', 'blind-correct-vae-split-batches', 'blind-correct-linear-ae-named-code')

# The class of TP02's blind answer (issue 12, part 1): every batch of each epoch, the incomplete
# last one included; a loop that skips it still trains well enough for the outcome checks.
_DROP_LAST = ("for debut in range(0, len(X), batch_size):", "for debut in range(0, len(X) - batch_size + 1, batch_size):")
SCENARIOS["submission-ae-train-drops-last-partial-batch"] = Scenario(
    grade_id="ae_entrainement",
    source=edit(solution_cell(__file__, "ae_entrainement"), _DROP_LAST),
    must_fail=("test_entrainer_ae_uses_its_arguments",),
    message_contains=("chaque époque parcourt TOUS les exemples",),
)
SCENARIOS["submission-vae-train-drops-last-partial-batch"] = Scenario(
    grade_id="vae_beta",
    source=edit(solution_cell(__file__, "vae_beta"), _DROP_LAST),
    must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
    message_contains=("le dernier lot, incomplet, est sauté",),
)
GROUPS["kl-sum"] = (*GROUPS["kl-sum"], "submission-ae-train-drops-last-partial-batch")
GROUPS["mutants-d"] = (*GROUPS["mutants-d"], "submission-vae-train-drops-last-partial-batch")

# Blind answers, round 3 (a tester who had not read these checks): false passes (a Tanh for
# the statement's ReLU, a float size, the incomplete last batch dropped, one permutation for
# every epoch) and a bad hint (a VAE built once and cached: "call torch.manual_seed first").
SCENARIOS.update({
    "blind-r3-ae-tanh": Scenario(
        grade_id="ae_classe",
        source='class AutoEncodeur(nn.Module):\n    def __init__(self, d=64, k=2, h=32):\n        super().__init__()\n        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.Tanh(), nn.Linear(h, k))\n        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.Tanh(), nn.Linear(h, d), nn.Sigmoid())\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def decode(self, z):\n        return self.decodeur(z)\n\n    def forward(self, x):\n        return self.decode(self.encode(x))\n',
        must_fail=("test_ae_classe_architecture",),
        message_contains=("l'activation cachée n'est pas la ReLU de l'énoncé",),
    ),
    "blind-r3-convtranspose-float": Scenario(
        grade_id="convtranspose_taille",
        source='def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):\n    return (w_in - 1) * s - 2 * p + k + output_padding / 1\n',
        must_fail=("test_taille_sortie_convtranspose_examples",),
        message_contains=("une taille est un entier (int)",),
    ),
    "blind-r3-ae-train-drop-partial": Scenario(
        grade_id="ae_entrainement",
        source='def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    N = len(X)\n    for _ in range(epochs):\n        ordre = torch.randperm(N, generator=g)\n        for d in range(0, N - batch_size + 1, batch_size):\n            lot = X[ordre[d:d + batch_size]]\n            opt.zero_grad()\n            F.mse_loss(modele(lot), lot).backward()\n            opt.step()\n    return modele\n',
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("chaque époque parcourt TOUS les exemples",),
    ),
    "blind-r3-ae-train-shuffle-once": Scenario(
        grade_id="ae_entrainement",
        source='def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    ordre = torch.randperm(len(X), generator=g)\n    for _ in range(epochs):\n        for d in range(0, len(X), batch_size):\n            lot = X[ordre[d:d + batch_size]]\n            opt.zero_grad()\n            perte = F.mse_loss(modele(lot), lot)\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("nouvelle permutation à CHAQUE époque",),
    ),
    "blind-r3-vae-global-model": Scenario(
        grade_id="vae_beta",
        source='_VAE_CACHE = {}\ndef entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    if k not in _VAE_CACHE:\n        _VAE_CACHE[k] = VAE(64, k)\n    vae = _VAE_CACHE[k]\n    X = torch.as_tensor(X, dtype=torch.float32)\n    opt = torch.optim.Adam(vae.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for d in range(0, len(X), batch_size):\n            lot = X[ordre[d:d + batch_size]]\n            x_hat, mu, logvar = vae(lot)\n            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n            opt.zero_grad(); perte.backward(); opt.step()\n    return vae\n',
        must_fail=("test_entrainer_vae_uses_its_seed", "test_entrainer_vae_batches_cover_the_epoch"),
        message_contains=("NOUVEAU VAE(64, k) à chaque appel",),
        may_fail=("test_beta_reduces_kl",),
    ),
})
GROUPS["blind-r3-a"] = ("blind-r3-ae-tanh", "blind-r3-convtranspose-float", "blind-r3-ae-train-shuffle-once",
                        "blind-r3-vae-global-model")
GROUPS["elbo-mean"] = (*GROUPS["elbo-mean"], "blind-r3-ae-train-drop-partial")
CORRECT.update({
    "blind-r3-correct-ae-ordered-dict": Correct(grade_id='ae_classe', source='# correct: Sequential built from an OrderedDict, encode/decode call the submodules, helper print of the size\nfrom collections import OrderedDict\nclass AutoEncodeur(nn.Module):\n    def __init__(self, d=64, k=2, h=32):\n        super().__init__()\n        self.encodeur = nn.Sequential(OrderedDict([("fc1", nn.Linear(d, h)), ("act", nn.ReLU()), ("fc2", nn.Linear(h, k))]))\n        self.decodeur = nn.Sequential(OrderedDict([("fc1", nn.Linear(k, h)), ("act", nn.ReLU()),\n                                                   ("fc2", nn.Linear(h, d)), ("out", nn.Sigmoid())]))\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def decode(self, z):\n        return self.decodeur(z)\n\n    def forward(self, x):\n        z = self.encode(x)\n        return self.decode(z)\n', why="nn.Sequential built from an OrderedDict"),
    "blind-r3-correct-anomaly-loop": Correct(grade_id='anomalie', source='# correct: per-example loop, eval mode, stacked result\ndef score_anomalie(modele, X):\n    modele.eval()\n    scores = []\n    with torch.no_grad():\n        for x in X:\n            x_hat = modele(x[None])[0]\n            scores.append(((x - x_hat) ** 2).mean())\n    return torch.stack(scores)\n', why="one example at a time, in eval mode"),
    "blind-r3-correct-kl-exp": Correct(grade_id='kl', source='# correct: 0.5 * sum(mu^2 + sigma^2 - 1 - logvar) written with exp\ndef kl_gaussienne(mu, logvar):\n    var = torch.exp(logvar)\n    return 0.5 * torch.sum(mu.pow(2) + var - 1.0 - logvar, dim=-1)\n', why="exp(logvar) written out"),
})
CORRECT_GROUPS["blind-r3-correct"] = ("blind-r3-correct-ae-ordered-dict", "blind-r3-correct-anomaly-loop", "blind-r3-correct-kl-exp")

# Issue 12, item 6: a monotone transform of the per-example MSE keeps the AUROC; the score's
# values are checked on grader data (test_score_anomalie_values).
SCENARIOS.update({
    "blind-r4-anomaly-rmse": Scenario(
        grade_id="anomalie",
        source=edit(solution_with_docs(__file__, 'anomalie', "RMSE de chaque exemple : la racine de l'erreur quadratique moyenne."),
            ('        return ((X - modele(X)) ** 2).mean(dim=1)\n',
             '        return torch.sqrt(((X - modele(X)) ** 2).mean(dim=1))\n')),
        must_fail=("test_score_anomalie_fixed_models", "test_score_anomalie_values"),
        message_contains=("RACINE de l'erreur (RMSE)",),
    ),
    "blind-r4-anomaly-sum-pixels": Scenario(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Erreur de reconstruction de chaque exemple, sommée sur les pixels."""
    with torch.no_grad():
        return ((X - modele(X)) ** 2).sum(dim=1)
''',
        must_fail=("test_score_anomalie_fixed_models", "test_score_anomalie_values"),
        message_contains=("SOMME des carrés sur les pixels",),
    ),
})
GROUPS["blind-r4-a"] = ("blind-r4-anomaly-rmse",)
GROUPS["blind-r4-b"] = ("blind-r4-anomaly-sum-pixels",)

# Blind round 5: the statement now says the functions leave the tensors they receive as they
# were (reparametrisation's eps was the only one watched), and score_anomalie's "sans gradient"
# is read from the returned tensor. Each of these keeps the right values.
SCENARIOS.update({
    "blind-r5-kl-squares-the-callers-mu": Scenario(
        grade_id="kl",
        source='def kl_gaussienne(mu, logvar):\n    m2 = mu.pow_(2) if not mu.requires_grad else mu ** 2\n    return -0.5 * torch.sum(1 + logvar - m2 - logvar.exp(), dim=1)\n',
        must_fail=("test_kl_closed_form",),
        message_contains=("kl_gaussienne modifie sur place ce qu'on lui passe (mu)",),
    ),
    "blind-r5-anomaly-score-subtracts-in-the-callers-x": Scenario(
        grade_id="anomalie",
        source='def score_anomalie(modele, X):\n    with torch.no_grad():\n        x_hat = modele(X)\n        diff = X\n        diff -= x_hat\n        return (diff ** 2).mean(dim=1)\n',
        must_fail=("test_score_anomalie_values",),
        message_contains=("score_anomalie modifie sur place ce qu'on lui passe (X)",),
    ),
    "blind-r5-anomaly-score-keeps-the-graph": Scenario(
        grade_id="anomalie",
        source='def score_anomalie(modele, X):\n    return ((X - modele(X)) ** 2).mean(dim=1)\n',
        must_fail=("test_score_anomalie_values",),
        message_contains=("torch.no_grad()",),
    ),
})
GROUPS["blind-r5-a"] = ("blind-r5-kl-squares-the-callers-mu", "blind-r5-anomaly-score-subtracts-in-the-callers-x")
GROUPS["blind-r5-b"] = ("blind-r5-anomaly-score-keeps-the-graph",)


# Blind round 5, second part: the mechanism behind a right outcome. The decoder's sizes come
# from its transposed convolutions (not from an F.interpolate in forward); decode(z) is the
# decoder, Sigmoid included, and forward is decode(encode(x)); the VAE's training uses the lr
# argument with Adam and reshuffles at every epoch; the hints name the optimiser (SGD given lr)
# and output_padding (added under a condition).
SCENARIOS.update({
    "blind-r5-convae-resizes-with-interpolate": Scenario(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.encodeur = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU())
        self.decodeur = nn.Sequential(
            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1))

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        y = self.decodeur(self.encode(x))
        return torch.sigmoid(F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False))
''',
        must_fail=("test_ae_conv_architecture",),
        message_contains=("forward la redimensionne", "output_padding=1"),
    ),
    "blind-r5-ae-sigmoid-in-forward-only": Scenario(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))
        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d))

    def encode(self, x):
        return self.encodeur(x)

    def decode(self, z):
        return self.decodeur(z)

    def forward(self, x):
        return torch.sigmoid(self.decode(self.encode(x)))
''',
        must_fail=("test_ae_classe_shapes",),
        message_contains=("decode(z) renvoie des valeurs hors de [0, 1]",),
    ),
    "submission-ae-forward-adds-a-second-sigmoid": Scenario(
        grade_id="ae_classe",
        source=edit(solution_cell(__file__, "ae_classe"),
                    ("return self.decode(self.encode(x))", "return torch.sigmoid(self.decode(self.encode(x)))")),
        must_fail=("test_ae_classe_shapes",),
        message_contains=("diffère de decode(encode(x))",),
    ),
    "blind-r5-vae-lr-ignored": Scenario(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    X = torch.as_tensor(X, dtype=torch.float32)
    torch.manual_seed(seed)
    vae = VAE(64, k)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(vae.parameters())
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), batch_size):
            lot = X[perm[i:i + batch_size]]
            x_hat, mu, logvar = vae(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)
            opt.zero_grad()
            perte.backward()
            opt.step()
    return vae
''',
        must_fail=("test_entrainer_vae_uses_its_seed",),
        message_contains=("l'argument lr est ignoré", "lr=lr"),
    ),
    "blind-r5-vae-shuffles-once": Scenario(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    X = torch.as_tensor(X, dtype=torch.float32)
    torch.manual_seed(seed)
    vae = VAE(64, k)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(vae.parameters(), lr=lr)
    perm = torch.randperm(len(X), generator=g)
    for _ in range(epochs):
        for i in range(0, len(X), batch_size):
            lot = X[perm[i:i + batch_size]]
            x_hat, mu, logvar = vae(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)
            opt.zero_grad()
            perte.backward()
            opt.step()
    return vae
''',
        must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
        message_contains=("nouvelle permutation à CHAQUE époque",),
    ),
    "blind-r5-ae-train-sgd-momentum": Scenario(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    opt = torch.optim.SGD(modele.parameters(), lr=lr, momentum=0.9)
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for d in range(0, len(X), batch_size):
            lot = X[perm[d:d + batch_size]]
            opt.zero_grad()
            perte = F.mse_loss(modele(lot), lot)
            perte.backward()
            opt.step()
    return modele
''',
        must_fail=("test_entrainer_ae_reconstruction", "test_entrainer_ae_uses_its_arguments"),
        message_contains=("l'optimiseur n'est pas celui de l'énoncé", "utilise bien l'argument lr"),
    ),
    "submission-ae-train-lr-hard-coded": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_cell(__file__, "ae_entrainement"), ("lr=lr)", "lr=1e-2)")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("l'argument lr est ignoré",),
    ),
    "blind-r5-convtranspose-output-padding-conditional": Scenario(
        grade_id="convtranspose_taille",
        source='''def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):
    w = (w_in - 1) * s - 2 * p + k
    if s > 1 and w % 2 == 1:
        w += output_padding
    return w
''',
        must_fail=("test_taille_sortie_convtranspose_random",),
        message_contains=("il s'ajoute TOUJOURS",),
    ),
})
GROUPS["blind-r5-c"] = ("blind-r5-convae-resizes-with-interpolate", "blind-r5-ae-sigmoid-in-forward-only",
                        "blind-r5-vae-lr-ignored", "blind-r5-ae-train-sgd-momentum",
                        "blind-r5-convtranspose-output-padding-conditional")
GROUPS["blind-r5-d"] = ("submission-ae-forward-adds-a-second-sigmoid", "blind-r5-vae-shuffles-once",
                        "submission-ae-train-lr-hard-coded")
CORRECT.update({
    "blind-r5-correct-ae-sigmoid-in-decode-helper": Correct(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))
        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d))

    def _pixels(self, logits):
        return torch.sigmoid(logits)

    def encode(self, x):
        return self.encodeur(x)

    def decode(self, z):
        return self._pixels(self.decodeur(z))

    def forward(self, x):
        return self.decode(self.encode(x))
''',
        why="the Sigmoid as torch.sigmoid in decode, through a helper method: decode(z) is in [0, 1]",
    ),
    "blind-r5-correct-convae-output-size": Correct(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.encodeur = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.deconv1 = nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1)
        self.deconv2 = nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1)

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        z = self.encode(x)
        h = torch.relu(self.deconv1(z, output_size=(4, 4)))
        return torch.sigmoid(self.deconv2(h, output_size=(8, 8)))
''',
        why="output_size= in the ConvTranspose2d calls: PyTorch sets output_padding, 2 → 4 → 8 in the layers",
    ),
    "blind-r5-correct-vae-dataloader-generator": Correct(
        grade_id="vae_beta",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    torch.manual_seed(seed)
    modele = VAE(64, k)
    g = torch.Generator().manual_seed(seed)
    chargeur = DataLoader(TensorDataset(torch.as_tensor(X, dtype=torch.float32)),
                          batch_size=batch_size, shuffle=True, generator=g)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        for (lot,) in chargeur:
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)
            opt.zero_grad()
            perte.backward()
            opt.step()
    return modele
''',
        why="DataLoader(shuffle=True, generator=g): a new order at every epoch, drawn from the seed",
    ),
})
CORRECT_GROUPS["blind-r5-correct"] = ("blind-r5-correct-ae-sigmoid-in-decode-helper",
                                      "blind-r5-correct-convae-output-size",
                                      "blind-r5-correct-vae-dataloader-generator")

# A layer registered twice (by name, then in an nn.Sequential) is listed twice by state_dict()
# but is one layer: the parameter counts read model.parameters() (blind round 6 found the same
# false failure in TP02).
CORRECT.update({
    "correct-ae-named-layers-also-in-sequentials": Correct(
        grade_id="ae_classe",
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n',
             '        self.enc1, self.enc2 = nn.Linear(d, h), nn.Linear(h, k)\n        self.dec1, self.dec2 = nn.Linear(k, h), nn.Linear(h, d)\n        self.encodeur = nn.Sequential(self.enc1, nn.ReLU(), self.enc2)\n        self.decodeur = nn.Sequential(self.dec1, nn.ReLU(), self.dec2, nn.Sigmoid())\n')),
        why="the same four Linear layers, reachable by two names: AutoEncodeur(d, k, h) has the statement's parameters",
    ),
    "correct-convae-named-layers-also-in-sequentials": Correct(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    """Autoencodeur convolutif (N, 1, 8, 8) → (N, 4, 2, 2) → (N, 1, 8, 8)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(8, 4, 3, stride=2, padding=1)
        self.t1 = nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1)
        self.t2 = nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1)
        self.encodeur = nn.Sequential(self.c1, nn.ReLU(), self.c2, nn.ReLU())
        self.decodeur = nn.Sequential(self.t1, nn.ReLU(), self.t2, nn.Sigmoid())

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        return self.decodeur(self.encode(x))
''',
        why="the same four convolutions, reachable by two names: the statement's layers, counted once",
    ),
})
CORRECT_GROUPS["correct-shared-layers"] = ("correct-ae-named-layers-also-in-sequentials",
                                          "correct-convae-named-layers-also-in-sequentials")


# Blind answers, round 7 (a tester who had not read these checks): false passes (an activation
# after the encoder's last Linear, clipping the code; a ReLU between the last layer and the
# Sigmoid, every pixel >= 0.5), a KL summed over the batch that the visible example (one
# example) could not show, and hints that blamed lr for a loop that ignores epochs or
# batch_size (several Adam steps in the one-step lr probe). The code is compared with the
# output of the last Linear / Conv2d and the output with the Sigmoid of the last layer
# (forward hooks); the training loops' batch sizes and passes over X are counted.
SCENARIOS.update({
    "blind-r7-ae-latent-relu": Scenario(
        grade_id="ae_classe",
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('class AutoEncodeur(nn.Module):\n',
             '# FAULT: extra ReLU at the end of the encoder (Linear, ReLU, Linear, ReLU): the latent code z is clipped to >= 0\nclass AutoEncodeur(nn.Module):\n'),
            ('        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n',
             '        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k), nn.ReLU())\n')),
        must_fail=('test_ae_classe_architecture',),
        message_contains=("n'est pas la sortie de la dernière couche nn.Linear", "le code n'a aucune valeur négative"),
    ),
    "blind-r7-ae-latent-sigmoid": Scenario(
        grade_id="ae_classe",
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('class AutoEncodeur(nn.Module):\n',
             '# FAULT: Sigmoid at the end of the encoder too ("codes in [0,1] like the pixels"): z squashed into (0, 1)\nclass AutoEncodeur(nn.Module):\n'),
            ('        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n',
             '        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k), nn.Sigmoid())\n')),
        must_fail=('test_ae_classe_architecture',),
        message_contains=("n'est pas la sortie de la dernière couche nn.Linear",),
    ),
    "blind-r7-ae-relu-before-sigmoid": Scenario(
        grade_id="ae_classe",
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('class AutoEncodeur(nn.Module):\n',
             '# FAULT: "ReLU after every Linear": decoder = Linear, ReLU, Linear, ReLU, Sigmoid -> every output pixel >= 0.5\nclass AutoEncodeur(nn.Module):\n'),
            ('        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n',
             '        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.ReLU(), nn.Sigmoid())\n')),
        must_fail=('test_ae_classe_architecture',),
        message_contains=('sont ≥ 0.5', 'entre Linear(h, d) et la Sigmoid'),
    ),
    "blind-r7-convae-relu-before-sigmoid": Scenario(
        grade_id="ae_conv",
        source=edit(solution_cell(__file__, 'ae_conv'),
            ('class AutoEncodeurConv(nn.Module):\n',
             '# FAULT: ReLU after EVERY layer, also after the last ConvTranspose2d before the Sigmoid -> outputs are >= 0.5\nclass AutoEncodeurConv(nn.Module):\n'),
            ('            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),\n',
             '            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.ReLU(), nn.Sigmoid(),\n')),
        must_fail=('test_ae_conv_architecture',),
        message_contains=('sont ≥ 0.5', 'entre la dernière ConvTranspose2d et la Sigmoid'),
    ),
    "blind-r7-elbo-kl-summed-over-batch": Scenario(
        grade_id="elbo",
        source='''# FAULT: BCE averaged over the batch but the KL SUMMED over the batch (missing 1/N on the KL term)
def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    """−ELBO moyenne sur le lot : BCE sommée sur les pixels + beta · KL ; tenseur scalaire."""
    bce = F.binary_cross_entropy(x_hat, x, reduction="none").sum(dim=1).mean()
    return bce + beta * kl_gaussienne(mu, logvar).sum()
''',
        must_fail=('test_perte_vae_simple_case', 'test_perte_vae_matches_reference'),
        message_contains=('la KL est sommée sur le lot',),
    ),
    "blind-r7-ae-train-epochs-ignored": Scenario(
        grade_id="ae_entrainement",
        source='''# FAULT: epochs argument ignored: always 15 epochs (the notebook's default)
def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    X = torch.as_tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N = X.shape[0]
    for _ in range(15):
        perm = torch.randperm(N, generator=g)
        for i in range(0, N, batch_size):
            lot = X[perm[i:i + batch_size]]
            opt.zero_grad()
            perte = F.mse_loss(modele(lot), lot)
            perte.backward()
            opt.step()
    return modele
''',
        must_fail=('test_entrainer_ae_uses_its_arguments',),
        message_contains=("utilisez l'argument epochs",),
    ),
    "blind-r7-denoiser-full-batch-steps": Scenario(
        grade_id="debruiteur",
        source='''# FAULT: batch_size ignored: one full-batch step per epoch (all of X, fresh noise each epoch)
def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X propre à partir de X + sigma · bruit ; renvoie le modèle."""
    X = torch.as_tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N = X.shape[0]
    for _ in range(epochs * 8):
        perm = torch.randperm(N, generator=g)
        lot = X[perm]
        bruite = lot + sigma * torch.randn(lot.shape, generator=g)
        opt.zero_grad()
        perte = F.mse_loss(modele(bruite), lot)
        perte.backward()
        opt.step()
    return modele
''',
        must_fail=('test_entrainer_debruiteur_noise',),
        message_contains=("utilisez l'argument batch_size",),
        may_fail=('test_debruiteur_beats_identity',),
    ),
})
CORRECT.update({
    "blind-r7-correct-ae-inplace-relu": Correct(
        grade_id="ae_classe",
        source='''# correct: Sequential with ReLU(inplace=True), forward = decode(encode(x)), a shape helper
class AutoEncodeur(nn.Module):
    """Autoencodeur dense d → h → k → h → d, sortie dans [0, 1]."""

    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        self.d, self.k, self.h = d, k, h
        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(inplace=True), nn.Linear(h, k))
        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(inplace=True), nn.Linear(h, d), nn.Sigmoid())

    def taille(self):
        return f"{self.d} -> {self.h} -> {self.k} -> {self.h} -> {self.d}"

    def encode(self, x):
        return self.encodeur(x)

    def decode(self, z):
        return self.decodeur(z)

    def forward(self, x):
        z = self.encode(x)
        return self.decode(z)
''',
        why='nn.ReLU(inplace=True) in both Sequentials, forward = decode(encode(x)), a size helper',
    ),
    "blind-r7-correct-convae-output-padding-from-formula": Correct(
        grade_id="ae_conv",
        source='''# correct: output_padding computed from the formula (target size minus size without it), layers kept in attributes, encode via Sequential
class AutoEncodeurConv(nn.Module):
    """Autoencodeur convolutif (N, 1, 8, 8) → (N, 4, 2, 2) → (N, 1, 8, 8)."""

    def __init__(self):
        super().__init__()
        op1 = 4 - taille_sortie_convtranspose(2, 3, 2, 1, 0)
        op2 = 8 - taille_sortie_convtranspose(4, 3, 2, 1, 0)
        self.encodeur = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 4, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        )
        self.decodeur = nn.Sequential(
            nn.ConvTranspose2d(4, 8, kernel_size=3, stride=2, padding=1, output_padding=op1), nn.ReLU(),
            nn.ConvTranspose2d(8, 1, kernel_size=3, stride=2, padding=1, output_padding=op2), nn.Sigmoid(),
        )

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        return self.decodeur(self.encode(x))
''',
        why='output_padding computed with taille_sortie_convtranspose, keyword arguments',
    ),
    "blind-r7-correct-elbo-sum-div-n": Correct(
        grade_id="elbo",
        source='''# correct: BCE with reduction="sum" divided by N, plus beta * mean KL
def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    """−ELBO moyenne sur le lot : BCE sommée sur les pixels + beta · KL ; tenseur scalaire."""
    n = x.shape[0]
    reconstruction = F.binary_cross_entropy(x_hat, x, reduction="sum") / n
    return reconstruction + beta * kl_gaussienne(mu, logvar).mean()
''',
        why='BCE with reduction="sum" divided by N, plus beta times the mean KL',
    ),
    "blind-r7-correct-kl-distributions": Correct(
        grade_id="kl",
        source='''# correct: torch.distributions.kl_divergence(Normal(mu, sigma), Normal(0, 1)) summed over the latent dims
def kl_gaussienne(mu, logvar):
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ) pour chaque exemple : tenseur (N,)."""
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return torch.distributions.kl_divergence(q, p).sum(dim=1)
''',
        why='torch.distributions.kl_divergence of two Normal laws, summed over the latent dimensions',
    ),
    "blind-r7-correct-ae-train-dataloader": Correct(
        grade_id="ae_entrainement",
        source='''# correct: TensorDataset + DataLoader(shuffle=True, generator=g) (RandomSampler = randperm(N, generator=g) each epoch), mse as mean of squares
from torch.utils.data import DataLoader, TensorDataset


def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    chargeur = DataLoader(TensorDataset(X), batch_size=batch_size, shuffle=True, generator=g, drop_last=False)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for epoque in range(epochs):
        for (lot,) in chargeur:
            opt.zero_grad()
            perte = ((modele(lot) - lot) ** 2).mean()
            perte.backward()
            opt.step()
    return modele
''',
        why='DataLoader(shuffle=True, generator=g, drop_last=False), MSE as the mean of squares',
    ),
})
# Correct answers the new checks must not touch: a loss printed on all of X with gradients on
# (a pass over X, not a batch; in the one-batch lr probe it looks like a second batch), in-place
# activations (the hooks copy each layer's output when it is made).
CORRECT.update({
    "blind-r7-correct-ae-train-prints-loss-with-grad": Correct(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut:debut + batch_size]]
            opt.zero_grad()
            perte = F.mse_loss(modele(lot), lot)
            perte.backward()
            opt.step()
        print(f"époque {epoque} : MSE sur X {F.mse_loss(modele(X), X).item():.4f}")
    return modele
''',
        why="a loss on all of X printed each epoch, without torch.no_grad(): a pass over X, no step",
    ),
    "blind-r7-correct-denoiser-prints-loss-with-grad": Correct(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            lot = X[idx]
            sortie = modele(lot + sigma * torch.randn(lot.shape, generator=g))
            perte = F.mse_loss(sortie, lot)
            opt.zero_grad()
            perte.backward()
            opt.step()
        print(f"époque {epoque} : reconstruction des images propres {F.mse_loss(modele(X), X).item():.4f}")
    return modele
''',
        why="split() batches and a clean-image loss printed each epoch with gradients on",
    ),
    "blind-r7-correct-ae-inplace-sigmoid": Correct(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, h), nn.Linear(h, k)
        self.fc3, self.fc4 = nn.Linear(k, h), nn.Linear(h, d)

    def encode(self, x):
        return self.fc2(F.relu(self.fc1(x), inplace=True))

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z), inplace=True)).sigmoid_()

    def forward(self, x):
        return self.decode(self.encode(x))
''',
        why="in-place ReLU and Sigmoid (sigmoid_) on fresh layer outputs",
    ),
    "blind-r7-correct-convae-inplace-relu": Correct(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.encodeur = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU(inplace=True),
        )
        self.decodeur = nn.Sequential(
            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1),
        )

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        return torch.sigmoid(self.decodeur(self.encode(x)))
''',
        why="ReLU(inplace=True) everywhere, the Sigmoid applied in forward after the decoder",
    ),
})
GROUPS["blind-r7-a"] = ("blind-r7-ae-latent-relu", "blind-r7-convae-relu-before-sigmoid",
                        "blind-r7-elbo-kl-summed-over-batch", "blind-r7-ae-train-epochs-ignored",
                        "blind-r7-denoiser-full-batch-steps")
# Two more answers to ae_classe, in groups without one (independent items).
GROUPS["kl-sign"] = (*GROUPS["kl-sign"], "blind-r7-ae-latent-sigmoid")
GROUPS["kl-sigma"] = (*GROUPS["kl-sigma"], "blind-r7-ae-relu-before-sigmoid")
CORRECT_GROUPS["blind-r7-correct"] = ("blind-r7-correct-ae-inplace-relu",
                                      "blind-r7-correct-convae-output-padding-from-formula",
                                      "blind-r7-correct-elbo-sum-div-n", "blind-r7-correct-kl-distributions",
                                      "blind-r7-correct-ae-train-dataloader",
                                      "blind-r7-correct-denoiser-prints-loss-with-grad")
CORRECT_GROUPS["correct-shared-layers"] = (*CORRECT_GROUPS["correct-shared-layers"],
                                           "blind-r7-correct-ae-train-prints-loss-with-grad")
CORRECT_GROUPS["blind-r7-correct-inplace"] = ("blind-r7-correct-ae-inplace-sigmoid",
                                              "blind-r7-correct-convae-inplace-relu")


# Blind answers, round 7, second pass: "detach in the wrong place" (encode returning the code
# detached, an encoder frozen: every layer that runs must get a gradient from one backward of a
# loss on the output), the conv code flattened in encode (the given docstring fixes
# (N, 4, 2, 2)), entrainer_ae / entrainer_debruiteur keeping float64 data (called once with a
# float64 array), and two hints that now check their premise: a layer missing (counted) before
# "use d, k, h", the modele argument ignored (another model, the same scores) before "check the
# square".
SCENARIOS.update({
    'blind-r7-ae-encode-detached': Scenario(
        grade_id='ae_classe',
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('class AutoEncodeur(nn.Module):\n',
             '# FAULT: encode returns self.encodeur(x).detach() ("z is just for plotting"): the encoder never receives gradients, only the decoder trains\nclass AutoEncodeur(nn.Module):\n'),
            ('        return self.encodeur(x)\n',
             '        return self.encodeur(x).detach()\n')),
        must_fail=('test_ae_classe_architecture',),
        message_contains=('ne donne aucun gradient à encodeur.0.weight', 'sans .detach()'),
    ),
    'blind-r7-convae-encode-detached': Scenario(
        grade_id='ae_conv',
        source=edit(solution_cell(__file__, 'ae_conv'),
            ('class AutoEncodeurConv(nn.Module):\n',
             '# FAULT: encode returns the code detached: the convolutional encoder never trains\nclass AutoEncodeurConv(nn.Module):\n'),
            ('        return self.encodeur(x)\n',
             '        return self.encodeur(x).detach()\n')),
        must_fail=('test_ae_conv_architecture',),
        message_contains=('ne donne aucun gradient à encodeur.0.weight', 'sans .detach()'),
    ),
    'blind-r7-convae-encode-flattened': Scenario(
        grade_id='ae_conv',
        source=edit(solution_cell(__file__, 'ae_conv'),
            ('class AutoEncodeurConv(nn.Module):\n',
             '# FAULT: encode returns the code flattened to (N, 16) (docstring: (N, 4, 2, 2)); forward reshapes it back\nclass AutoEncodeurConv(nn.Module):\n'),
            ('        return self.encodeur(x)\n',
             '        return self.encodeur(x).flatten(1)\n'),
            ('        return self.decodeur(self.encode(x))\n',
             '        return self.decodeur(self.encode(x).view(-1, 4, 2, 2))\n')),
        must_fail=('test_ae_conv_shapes',),
        message_contains=('forme attendue (5, 4, 2, 2)', "sans l'aplatir"),
    ),
    'blind-r7-ae-train-no-float32': Scenario(
        grade_id='ae_entrainement',
        source='''# FAULT: X converted with torch.as_tensor(X) only (no float32): a float64 array crashes / keeps its dtype
def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    X = torch.as_tensor(X)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N = X.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(N, generator=g)
        for i in range(0, N, batch_size):
            lot = X[perm[i:i + batch_size]]
            opt.zero_grad()
            perte = F.mse_loss(modele(lot), lot)
            perte.backward()
            opt.step()
    return modele
''',
        must_fail=('test_entrainer_ae_uses_its_arguments',),
        message_contains=('tableau X de float64', 'torch.float64 au lieu de float32'),
    ),
    'blind-r7-ae-decoder-one-layer': Scenario(
        grade_id='ae_classe',
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('class AutoEncodeur(nn.Module):\n',
             '# FAULT: decoder has no hidden layer (Linear(k, d), Sigmoid): d -> h -> k -> d instead of k -> h -> d\nclass AutoEncodeur(nn.Module):\n'),
            ('        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n',
             '        self.decodeur = nn.Sequential(nn.Linear(k, d), nn.Sigmoid())\n')),
        must_fail=('test_ae_classe_architecture',),
        message_contains=('3 couches à poids (2D) au lieu de 4', 'une couche manquante'),
    ),
    'blind-r7-anomaly-global-model': Scenario(
        grade_id='anomalie',
        source='''# FAULT: uses the notebook's global modele_ae instead of the argument modele
def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    with torch.no_grad():
        return ((X - modele_ae(X)) ** 2).mean(dim=1)
''',
        must_fail=('test_score_anomalie_fixed_models', 'test_score_anomalie_values'),
        message_contains=("n'utilise pas son argument modele",),
    ),
    'blind-r7-linear-ae-encoder-frozen': Scenario(
        grade_id='ae_lineaire',
        source=edit(solution_cell(__file__, 'ae_lineaire'),
            ('class AutoEncodeurLineaire(nn.Module):\n',
             '# FAULT: encoder weights frozen (requires_grad_(False), "only the decoder has to learn the basis"): encoder stays random\nclass AutoEncodeurLineaire(nn.Module):\n'),
            ('\n    def forward(self, x):\n',
             '        self.encodeur.requires_grad_(False)\n\n    def forward(self, x):\n')),
        must_fail=('test_ae_lineaire_matches_pca',),
        message_contains=('ne donne aucun gradient à encodeur.weight',),
    ),
    "blind-r7-denoiser-no-float32": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', "X converti par torch.as_tensor(X) seul : un tableau float64 le reste."),
            ('    X = torch.as_tensor(X, dtype=torch.float32)\n',
             '    X = torch.as_tensor(X)\n')),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("tableau X de float64",),
    ),
    "blind-r7-linear-ae-forward-detached": Scenario(
        grade_id="ae_lineaire",
        source=edit(solution_with_docs(__file__, 'ae_lineaire', "Le code est détaché entre l'encodeur et le décodeur : l'encodeur ne s'entraîne jamais."),
            ('        return self.decodeur(self.encodeur(x))\n',
             '        return self.decodeur(self.encodeur(x).detach())\n')),
        must_fail=("test_ae_lineaire_matches_pca",),
        message_contains=("ne donne aucun gradient à encodeur.weight",),
    ),
})

# Correct answers the second pass must not touch: a code kept detached for plotting while the
# returned one stays in the graph (detach in the right place), other float32 conversions, the
# tester's other correct answers.
CORRECT.update({
    "blind-r7-correct-reparam-sqrt-exp-addcmul": Correct(
        grade_id="reparametrisation",
        source='''# correct: sigma = sqrt(exp(logvar)), eps drawn with torch.randn(mu.shape, dtype=mu.dtype), new tensor returned
def reparametrisation(mu, logvar, eps=None):
    """z = mu + sigma * eps avec sigma = exp(logvar / 2) ; différentiable en mu et logvar."""
    if eps is None:
        eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device)
    sigma = torch.sqrt(torch.exp(logvar))
    return torch.addcmul(mu, sigma, eps)
''',
        why="sigma = sqrt(exp(logvar)), eps = torch.randn(mu.shape, dtype=mu.dtype), torch.addcmul",
    ),
    "blind-r7-correct-anomaly-inference-mode": Correct(
        grade_id="anomalie",
        source='''# correct: torch.inference_mode(), F.mse_loss(reduction="none") averaged over every non-batch dim, eval() then restore mode
def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    etait_en_train = modele.training
    modele.eval()
    with torch.inference_mode():
        erreur = F.mse_loss(modele(X), X, reduction="none")
        score = erreur.reshape(erreur.shape[0], -1).mean(dim=1)
    modele.train(etait_en_train)
    return score.clone()
''',
        why="torch.inference_mode(), F.mse_loss(reduction='none') averaged per example, eval() restored",
    ),
    "blind-r7-correct-ae-keeps-a-detached-copy": Correct(
        grade_id="ae_classe",
        source=edit(solution_cell(__file__, 'ae_classe'),
            ('\n    def encode(self, x):\n',
             '        self.dernier_code = None\n\n    def encode(self, x):\n'),
            ('        return self.encodeur(x)\n',
             '        z = self.encodeur(x.detach())\n        self.dernier_code = z.detach()  # pour les figures ; z lui-même reste dans le graphe\n        return z\n')),
        why="the input detached (it carries no gradient) and a detached copy of z kept for plots; z itself returned",
    ),
    "blind-r7-correct-convae-keeps-a-detached-copy": Correct(
        grade_id="ae_conv",
        source=edit(solution_cell(__file__, 'ae_conv'),
            ('        return self.encodeur(x)\n',
             "        code = self.encodeur(x)\n        self.code_aplati = code.detach().flatten(1)  # 16 valeurs par image, pour l'affichage\n        return code\n")),
        why="a flattened, detached copy of the code kept for display; encode returns the (N, 4, 2, 2) code in the graph",
    ),
    "blind-r7-correct-linear-ae-keeps-a-detached-copy": Correct(
        grade_id="ae_lineaire",
        source=edit(solution_cell(__file__, 'ae_lineaire'),
            ('        return self.decodeur(self.encodeur(x))\n',
             '        z = self.encodeur(x)\n        self.z = z.detach()\n        return self.decodeur(z)\n')),
        why="a detached copy of the code kept as an attribute; the decoder gets z itself",
    ),
    "blind-r7-correct-ae-train-from-numpy-float": Correct(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    X = torch.from_numpy(np.array(X)).float()
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(X.shape[0], generator=g)
        for lot in X[ordre].split(batch_size):
            opt.zero_grad()
            F.mse_loss(modele(lot), lot).backward()
            opt.step()
    return modele
''',
        why="torch.from_numpy(np.array(X)).float(), batches by split() of the permuted X",
    ),
    "blind-r7-correct-denoiser-numpy-float32": Correct(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    X = torch.tensor(np.asarray(X, dtype=np.float32))
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    N = len(X)
    for _ in range(epochs):
        ordre = torch.randperm(N, generator=g)
        for debut in range(0, N, batch_size):
            propre = X[ordre[debut:debut + batch_size]]
            bruite = propre + sigma * torch.randn(propre.shape, generator=g)
            opt.zero_grad()
            F.mse_loss(modele(bruite), propre).backward()
            opt.step()
    return modele
''',
        why="np.asarray(X, dtype=np.float32) then torch.tensor",
    ),
})
GROUPS["blind-r7-b"] = ("blind-r7-ae-encode-detached", "blind-r7-convae-encode-detached",
                        "blind-r7-ae-train-no-float32", "blind-r7-anomaly-global-model",
                        "blind-r7-linear-ae-encoder-frozen", "blind-r7-denoiser-no-float32")
GROUPS["blind-r7-c"] = ("blind-r7-ae-decoder-one-layer", "blind-r7-convae-encode-flattened",
                        "blind-r7-linear-ae-forward-detached")
CORRECT_GROUPS["blind-r7-correct-b"] = (
    "blind-r7-correct-reparam-sqrt-exp-addcmul", "blind-r7-correct-anomaly-inference-mode",
    "blind-r7-correct-ae-keeps-a-detached-copy", "blind-r7-correct-convae-keeps-a-detached-copy",
    "blind-r7-correct-linear-ae-keeps-a-detached-copy", "blind-r7-correct-ae-train-from-numpy-float",
    "blind-r7-correct-denoiser-numpy-float32",
)


# Blind answers, round 8: the epochs argument honoured by every training loop (entrainer_vae
# with range(1) or a fixed number of epochs kept its points: each example is now counted over
# a two-epoch call; entrainer_debruiteur's short training is named as such, not as a noise
# fault); the VAE followed through its encoder, so that a loop calling encode,
# reparametrisation and decode itself is seen as well as one calling the model; hints that
# name the fault (β upside down when the KL grows with β, σ cut from the graph, a copy
# trained while the model received is returned, the noise's scale without printing a
# statistic of the grader's σ).
SCENARIOS.update({
    "submission-vae_beta-ignores-epochs": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', "Une seule époque, quel que soit l'argument epochs."),
            ('    for _ in range(epochs):\n',
             '    for _ in range(1):\n')),
        must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
        message_contains=("l'argument epochs est ignoré",),
        # one epoch of about 20 batches may or may not reach the KL bar, depending on the seed
        may_fail=("test_beta_reduces_kl",),
    ),
    "submission-vae_beta-fixed-epochs-explicit-calls": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', 'Dix époques toujours ; encode, reparametrisation et decode appelés un à un.'),
            ('    for _ in range(epochs):\n',
             '    for _ in range(10):\n'),
            ('            x_hat, mu, logvar = modele(lot)\n',
             '            mu, logvar = modele.encode(lot)\n            x_hat = modele.decode(reparametrisation(mu, logvar))\n')),
        must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
        message_contains=("l'argument epochs est ignoré",),
    ),
    "submission-vae_beta-explicit-calls-ignores-lr": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', "Adam avec son lr par défaut ; encode, reparametrisation et decode appelés un à un."),
            ('    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    optimiseur = torch.optim.Adam(modele.parameters())\n'),
            ('            x_hat, mu, logvar = modele(lot)\n',
             '            mu, logvar = modele.encode(lot)\n            x_hat = modele.decode(reparametrisation(mu, logvar))\n')),
        must_fail=("test_entrainer_vae_uses_its_seed",),
        message_contains=("l'argument lr est ignoré",),
    ),
    "submission-vae_beta-beta-inverted": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, 'vae_beta', 'Passe 1 / beta à la perte.'),
            ('            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n',
             '            perte = perte_vae(lot, x_hat, mu, logvar, beta=1.0 / beta)\n')),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("β agit à l'envers", "beta=1/beta"),
    ),
    "submission-reparametrisation-sigma-detached": Scenario(
        grade_id="reparametrisation",
        source=edit(solution_with_docs(__file__, 'reparametrisation', 'σ détaché du graphe : aucun gradient vers logvar.'),
            ('    return mu + torch.exp(0.5 * logvar) * eps\n',
             '    return mu + torch.exp(0.5 * logvar).detach() * eps\n')),
        must_fail=("test_reparametrisation_gradients",),
        message_contains=("aucun gradient ne parvient à log σ² (logvar)", "sans .detach()"),
    ),
    "submission-ae_entrainement-trains-a-copy": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', 'Entraîne une copie du modèle et renvoie le modèle reçu, intact.'),
            ('    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    import copy\n    copie = copy.deepcopy(modele)\n    optimiseur = torch.optim.Adam(copie.parameters(), lr=lr)\n'),
            ('            perte = F.mse_loss(modele(lot), lot)\n',
             '            perte = F.mse_loss(copie(lot), lot)\n')),
        must_fail=("test_entrainer_ae_trains", "test_entrainer_ae_reconstruction",
                   "test_entrainer_ae_uses_its_arguments"),
        message_contains=("il entraîne une copie", "entraînez le modèle reçu lui-même"),
    ),
    "submission-debruiteur-noise-sigma-squared": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', 'Bruit d\u2019écart type sigma ** 2.'),
            ('            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n',
             '            bruite = lot + sigma**2 * torch.randn(lot.shape, generator=g)\n')),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("son écart type n'est pas l'argument sigma",),
    ),
    "submission-debruiteur-ignores-epochs": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', "Une seule époque, quel que soit l'argument epochs."),
            ('    for _ in range(epochs):\n',
             '    for _ in range(1):\n')),
        must_fail=("test_entrainer_debruiteur_noise", "test_debruiteur_beats_identity"),
        message_contains=("utilisez l'argument epochs",),
    ),
    "submission-ae_entrainement-ignores-epochs": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, 'ae_entrainement', "Une seule époque, quel que soit l'argument epochs."),
            ('    for _ in range(epochs):\n',
             '    for _ in range(1):\n')),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("l'argument epochs est ignoré",),
        # 15 epochs become one: the reconstruction bar sees it on most draws
        may_fail=("test_entrainer_ae_reconstruction",),
    ),
    "submission-debruiteur-trains-a-copy": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, 'debruiteur', 'Entraîne une copie du modèle et renvoie le modèle reçu, intact.'),
            ('    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n',
             '    import copy\n    copie = copy.deepcopy(modele)\n    optimiseur = torch.optim.Adam(copie.parameters(), lr=lr)\n'),
            ('            perte = F.mse_loss(modele(bruite), lot)\n',
             '            perte = F.mse_loss(copie(bruite), lot)\n')),
        must_fail=("test_entrainer_debruiteur_trains", "test_debruiteur_beats_identity",
                   "test_entrainer_debruiteur_noise"),
        message_contains=("il entraîne une copie", "n'a jamais appelé le modèle reçu"),
    ),
})
GROUPS["epochs-a"] = ("submission-vae_beta-ignores-epochs", "submission-ae_entrainement-trains-a-copy",
                      "submission-debruiteur-noise-sigma-squared")
GROUPS["epochs-b"] = ("submission-vae_beta-beta-inverted", "submission-debruiteur-ignores-epochs",
                      "submission-ae_entrainement-ignores-epochs")
GROUPS["blind-r7-c"] = (*GROUPS["blind-r7-c"], "submission-vae_beta-fixed-epochs-explicit-calls")
GROUPS["blind-r4-a"] = (*GROUPS["blind-r4-a"], "submission-vae_beta-explicit-calls-ignores-lr")
GROUPS["kl-sum"] = (*GROUPS["kl-sum"], "submission-reparametrisation-sigma-detached")
GROUPS["kl-sign"] = (*GROUPS["kl-sign"], "submission-debruiteur-trains-a-copy")

# Correct loops that do not call the VAE itself: encode, reparametrisation and decode one by
# one (what VAE.forward does), the encoder's layers used directly, or the model called for x̂
# and encode called again for μ and log σ² (the same values).
_VAE_EXPLICIT = edit(solution_cell(__file__, 'vae_beta'),
    ('            x_hat, mu, logvar = modele(lot)\n',
     '            mu, logvar = modele.encode(lot)\n            z = reparametrisation(mu, logvar)\n            x_hat = modele.decode(z)\n'))
CORRECT.update({
    "correct-vae_beta-explicit-encode-decode": Correct(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    torch.manual_seed(seed)
    vae = VAE(64, k)
    g = torch.Generator().manual_seed(seed)
    donnees = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    opt = torch.optim.Adam(vae.parameters(), lr=lr)
    for ep in range(epochs):
        ordre = torch.randperm(donnees.shape[0], generator=g)
        for idx in ordre.split(batch_size):
            xb = donnees[idx]
            mu, logvar = vae.encode(xb)
            z = reparametrisation(mu, logvar)
            xb_hat = vae.decode(z)
            perte = perte_vae(xb, xb_hat, mu, logvar, beta)
            opt.zero_grad()
            perte.backward()
            opt.step()
    return vae
''',
        why="encode, reparametrisation and decode called one by one, batches by ordre.split()",
    ),
    "correct-vae_beta-encoder-layers": Correct(
        grade_id="vae_beta",
        source=edit(solution_cell(__file__, 'vae_beta'),
            ('            x_hat, mu, logvar = modele(lot)\n',
             '            h = modele.encodeur(lot)\n            mu, logvar = modele.couche_mu(h), modele.couche_logvar(h)\n            x_hat = modele.decodeur(reparametrisation(mu, logvar))\n')),
        why="the VAE's layers called directly (encodeur, couche_mu, couche_logvar, decodeur)",
    ),
    "correct-vae_beta-forward-then-encode": Correct(
        grade_id="vae_beta",
        source=edit(solution_cell(__file__, 'vae_beta'),
            ('            x_hat, mu, logvar = modele(lot)\n',
             '            x_hat, _, _ = modele(lot)\n            mu, logvar = modele.encode(lot)\n')),
        why="x̂ from the model, μ and log σ² from encode called again (the same values)",
    ),
    "correct-vae_beta-explicit-prints-epoch-loss": Correct(
        grade_id="vae_beta",
        source=edit(_VAE_EXPLICIT,
            ('    return modele\n',
             '        with torch.no_grad():\n            mu, logvar = modele.encode(X)\n            print(perte_vae(X, modele.decode(mu), mu, logvar, beta=beta).item())\n    return modele\n')),
        why="explicit encode / decode, and the loss on all of X printed under no_grad each epoch",
    ),
})
CORRECT_GROUPS["blind-r3-correct"] = (*CORRECT_GROUPS["blind-r3-correct"], "correct-vae_beta-explicit-encode-decode")
CORRECT_GROUPS["correct-shared-layers"] = (*CORRECT_GROUPS["correct-shared-layers"], "correct-vae_beta-encoder-layers")
CORRECT_GROUPS["blind-r7-correct"] = (*CORRECT_GROUPS["blind-r7-correct"], "correct-vae_beta-forward-then-encode")
CORRECT_GROUPS["blind-r7-correct-inplace"] = (*CORRECT_GROUPS["blind-r7-correct-inplace"],
                                              "correct-vae_beta-explicit-prints-epoch-loss")


# ------------------------------------------------------------ blind round 10
# Faults the checks used to miss (a Sigmoid between layers, image-shaped X flattened, scores
# as NumPy, d = 64 hard-coded, μ and log σ² swapped in the loop, x̂ clamped in place or to
# [0.01, 0.99], a clamped noisy input) and hints that now name the fault.
SCENARIOS.update({
    'submission-ae_classe-sigmoid-hidden-decoder': Scenario(
        grade_id='ae_classe',
        source='class AutoEncodeur(nn.Module):\n    def __init__(self, d=64, k=2, h=32):\n        super().__init__()\n        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.Sigmoid(), nn.Linear(h, d), nn.Sigmoid())\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def decode(self, z):\n        return self.decodeur(z)\n\n    def forward(self, x):\n        return self.decode(self.encode(x))\n',
        must_fail=('test_ae_classe_architecture',),
        message_contains=("n'est pas la ReLU de la sortie",),
    ),
    'submission-ae_conv-sigmoid-between-transposed': Scenario(
        grade_id='ae_conv',
        source='class AutoEncodeurConv(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.encodeur = nn.Sequential(\n            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),\n            nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU(),\n        )\n        self.decodeur = nn.Sequential(\n            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),\n            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),\n        )\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def forward(self, x):\n        return self.decodeur(self.encode(x))\n',
        must_fail=('test_ae_conv_architecture',),
        message_contains=("n'est pas la ReLU de la sortie",),
    ),
    'submission-ae_entrainement-flattens-x': Scenario(
        grade_id='ae_entrainement',
        source='def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32).reshape(len(X), -1)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            opt.zero_grad()\n            perte = F.mse_loss(modele(lot), lot)\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_ae_uses_its_arguments',),
        message_contains=('(N, 1, 8, 8)', "ne l'aplatissez pas"),
    ),
    'submission-anomalie-returns-numpy': Scenario(
        grade_id='anomalie',
        source='def score_anomalie(modele, X):\n    with torch.no_grad():\n        return ((X - modele(X)) ** 2).mean(dim=1).numpy()\n',
        must_fail=('test_score_anomalie_values',),
        message_contains=("au lieu d'un tenseur torch",),
    ),
    'submission-vae_beta-mu-logvar-swapped': Scenario(
        grade_id='vae_beta',
        source='def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    modele = VAE(X.shape[1], k)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            x_hat, logvar, mu = modele(lot)\n            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n            opt.zero_grad()\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_beta_reduces_kl',),
        message_contains=('sont inversés',),
    ),
    'submission-elbo-clamps-x_hat-in-place': Scenario(
        grade_id='elbo',
        source='def perte_vae(x, x_hat, mu, logvar, beta=1.0):\n    with torch.no_grad():\n        x_hat.clamp_(1e-6, 1 - 1e-6)\n    rec = F.binary_cross_entropy(x_hat, x, reduction="none").sum(dim=1)\n    return (rec + beta * kl_gaussienne(mu, logvar)).mean()\n',
        must_fail=('test_perte_vae_matches_reference',),
        message_contains=('clamp_',),
    ),
    'submission-debruiteur-clamps-noisy-input': Scenario(
        grade_id='debruiteur',
        source='def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            bruite = torch.clamp(lot + sigma * torch.randn(lot.shape, generator=g), 0, 1)\n            opt.zero_grad()\n            perte = F.mse_loss(modele(bruite), lot)\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_debruiteur_noise',),
        message_contains=('bornée à [0, 1]',),
    ),
    'submission-ae_entrainement-views-batches-64': Scenario(
        grade_id='ae_entrainement',
        source='def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]].view(-1, 64)\n            opt.zero_grad()\n            perte = F.mse_loss(modele(lot), lot)\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_ae_uses_its_arguments',),
        message_contains=("ne l'aplatissez pas",),
    ),
    'submission-anomalie-divides-by-64': Scenario(
        grade_id='anomalie',
        source='def score_anomalie(modele, X):\n    with torch.no_grad():\n        return ((X - modele(X)) ** 2).sum(dim=1) / 64\n',
        must_fail=('test_score_anomalie_values',),
        message_contains=('au lieu de d',),
    ),
    'submission-elbo-clamps-x_hat-to-a-hundredth': Scenario(
        grade_id='elbo',
        source='def perte_vae(x, x_hat, mu, logvar, beta=1.0):\n    x_hat = x_hat.clamp(0.01, 0.99)\n    rec = -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat)).sum(dim=1)\n    return (rec + beta * kl_gaussienne(mu, logvar)).mean()\n',
        must_fail=('test_perte_vae_matches_reference',),
        message_contains=('borné (clamp)',),
    ),
    'submission-vae_beta-kl-summed-over-batch': Scenario(
        grade_id='vae_beta',
        source="def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    modele = VAE(X.shape[1], k)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            x_hat, mu, logvar = modele(lot)\n            perte = F.binary_cross_entropy(x_hat, lot, reduction='none').sum(1).mean() + beta * kl_gaussienne(mu, logvar).sum()\n            opt.zero_grad()\n            perte.backward()\n            opt.step()\n    return modele\n",
        must_fail=('test_beta_reduces_kl',),
        message_contains=("la KL est sommée sur le lot",),
    ),
    'submission-kl-sums-over-examples': Scenario(
        grade_id='kl',
        source='def kl_gaussienne(mu, logvar):\n    return -0.5 * torch.sum(1 + logvar - mu ** 2 - torch.exp(logvar), dim=0)\n',
        must_fail=('test_kl_simple_cases', 'test_kl_closed_form', 'test_kl_matches_monte_carlo'),
        message_contains=('dim=1',),
    ),
    'submission-convtranspose-k-minus-one': Scenario(
        grade_id='convtranspose_taille',
        source='def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):\n    return (w_in - 1) * s - 2 * p + k - 1 + output_padding\n',
        must_fail=('test_taille_sortie_convtranspose_examples', 'test_taille_sortie_convtranspose_random'),
        message_contains=('vérifiez chaque terme',),
    ),
    'submission-debruiteur-no-zero-grad': Scenario(
        grade_id='debruiteur',
        source='def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n            perte = F.mse_loss(modele(bruite), lot)\n            perte.backward()\n            opt.step()\n    return modele\n',
        # The outcome check's hint names zero_grad only when the gradients left in the trained
        # model say so (not at every variant: accumulated gradients partly cancel); the
        # mechanism check sees every backward's gradients added to the previous batch's.
        must_fail=('test_debruiteur_beats_identity', 'test_entrainer_debruiteur_noise'),
        message_contains=('zero_grad',),
    ),
    'submission-ae_classe-forward-returns-tuple': Scenario(
        grade_id='ae_classe',
        source='class AutoEncodeur(nn.Module):\n    def __init__(self, d=64, k=2, h=32):\n        super().__init__()\n        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def decode(self, z):\n        return self.decodeur(z)\n\n    def forward(self, x):\n        z = self.encode(x)\n        return self.decode(z), z\n',
        must_fail=('test_ae_classe_shapes',),
        message_contains=('un seul tenseur',),
    ),
    'submission-vae_beta-decodes-mu-without-sampling': Scenario(
        grade_id='vae_beta',
        source='def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):\n    torch.manual_seed(seed)\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32)\n    modele = VAE(X.shape[1], k)\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            mu, logvar = modele.encode(lot)\n            x_hat = modele.decode(mu)\n            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n            opt.zero_grad()\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_beta_reduces_kl',),
        message_contains=("décode μ lui-même",),
    ),
    'submission-ae_entrainement-rescales-x': Scenario(
        grade_id='ae_entrainement',
        source='def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    g = torch.Generator().manual_seed(seed)\n    X = torch.as_tensor(X, dtype=torch.float32) / 16.0  # pixels entre 0 et 16\n    opt = torch.optim.Adam(modele.parameters(), lr=lr)\n    for _ in range(epochs):\n        ordre = torch.randperm(len(X), generator=g)\n        for debut in range(0, len(X), batch_size):\n            lot = X[ordre[debut:debut + batch_size]]\n            opt.zero_grad()\n            perte = F.mse_loss(modele(lot), lot)\n            perte.backward()\n            opt.step()\n    return modele\n',
        must_fail=('test_entrainer_ae_reconstruction', 'test_entrainer_ae_uses_its_arguments'),
        message_contains=('X est transformé',),
    ),
    'submission-elbo-bce-arguments-swapped': Scenario(
        grade_id='elbo',
        source='def perte_vae(x, x_hat, mu, logvar, beta=1.0):\n    rec = F.binary_cross_entropy(x, x_hat, reduction="none").sum(dim=1)\n    return (rec + beta * kl_gaussienne(mu, logvar)).mean()\n',
        must_fail=('test_perte_vae_simple_case', 'test_perte_vae_matches_reference'),
        message_contains=('arguments de la BCE sont inversés',),
    ),
    'submission-reparametrisation-adds-sigma-and-eps': Scenario(
        grade_id='reparametrisation',
        source='def reparametrisation(mu, logvar, eps=None):\n    if eps is None:\n        eps = torch.randn_like(mu)\n    return mu + torch.exp(0.5 * logvar) + eps\n',
        must_fail=('test_reparametrisation_fixed_eps', 'test_reparametrisation_values', 'test_reparametrisation_gradients', 'test_reparametrisation_draws_normal_noise'),
        message_contains=('pas combiné comme',),
    ),
    'submission-ae_classe-no-bias': Scenario(
        grade_id='ae_classe',
        source='class AutoEncodeur(nn.Module):\n    def __init__(self, d=64, k=2, h=32):\n        super().__init__()\n        self.encodeur = nn.Sequential(nn.Linear(d, h, bias=False), nn.ReLU(), nn.Linear(h, k, bias=False))\n        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def decode(self, z):\n        return self.decodeur(z)\n\n    def forward(self, x):\n        return self.decode(self.encode(x))\n',
        must_fail=('test_ae_classe_architecture',),
        message_contains=('bias=False',),
    ),
})
GROUPS["blind-r10-a"] = ('submission-ae_classe-sigmoid-hidden-decoder', 'submission-ae_conv-sigmoid-between-transposed', 'submission-ae_entrainement-flattens-x', 'submission-anomalie-returns-numpy', 'submission-vae_beta-mu-logvar-swapped', 'submission-elbo-clamps-x_hat-in-place', 'submission-debruiteur-clamps-noisy-input')
GROUPS["blind-r10-b"] = ('submission-ae_entrainement-views-batches-64', 'submission-anomalie-divides-by-64', 'submission-elbo-clamps-x_hat-to-a-hundredth', 'submission-vae_beta-kl-summed-over-batch', 'submission-kl-sums-over-examples', 'submission-convtranspose-k-minus-one', 'submission-debruiteur-no-zero-grad')
GROUPS["blind-r10-c"] = ('submission-ae_classe-forward-returns-tuple', 'submission-vae_beta-decodes-mu-without-sampling', 'submission-ae_entrainement-rescales-x', 'submission-elbo-bce-arguments-swapped', 'submission-reparametrisation-adds-sigma-and-eps')
GROUPS["blind-r10-d"] = ('submission-ae_classe-no-bias',)
SCENARIOS.update({
    'submission-reparametrisation-scales-mu-by-the-noise': Scenario(
        grade_id='reparametrisation',
        source='def reparametrisation(mu, logvar, eps=None):\n    if eps is None:\n        eps = torch.randn_like(mu)\n    return mu * torch.exp(0.5 * logvar) * eps\n',
        must_fail=('test_reparametrisation_fixed_eps', 'test_reparametrisation_values', 'test_reparametrisation_gradients', 'test_reparametrisation_draws_normal_noise'),
        message_contains=('pas combiné comme',),
    ),
    'submission-convtranspose-convolution-formula': Scenario(
        grade_id='convtranspose_taille',
        source='def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):\n    return (w_in + 2 * p - k) // s + 1 + output_padding\n',
        must_fail=('test_taille_sortie_convtranspose_examples', 'test_taille_sortie_convtranspose_random'),
        message_contains=('convolution TRANSPOSÉE',),
    ),
})
GROUPS["blind-r10-d"] = (*GROUPS["blind-r10-d"], 'submission-reparametrisation-scales-mu-by-the-noise',
                         'submission-convtranspose-convolution-formula')
CORRECT.update({
    'correct-elbo-manual-log-guard': Correct(
        grade_id='elbo',
        source='def perte_vae(x, x_hat, mu, logvar, beta=1.0):\n    """−ELBO moyenne sur le lot : BCE sommée sur les pixels + beta · KL ; tenseur scalaire."""\n    eps = 1e-8\n    bce = -(x * torch.log(x_hat + eps) + (1 - x) * torch.log(1 - x_hat + eps))\n    rec = bce.sum(dim=1)\n    kl = kl_gaussienne(mu, logvar)\n    return torch.mean(rec + beta * kl)\n',
        why='BCE by hand with log(p + 1e-8): the saturated pixels keep their loss',
    ),
    'correct-anomalie-mse-none-over-last-axis': Correct(
        grade_id='anomalie',
        source='def score_anomalie(modele, X):\n    with torch.no_grad():\n        reconstruction = modele(X)\n        erreur = F.mse_loss(reconstruction, X, reduction="none")\n        score = erreur.sum(dim=-1) / X.shape[-1]\n    return score\n',
        why="F.mse_loss(reduction='none') divided by X.shape[-1]: any d",
    ),
    'correct-ae_classe-inplace-relu': Correct(
        grade_id='ae_classe',
        source='class AutoEncodeur(nn.Module):\n    def __init__(self, d=64, k=2, h=32):\n        super(AutoEncodeur, self).__init__()\n        self.encodeur = nn.Sequential()\n        self.encodeur.add_module("lin1", nn.Linear(d, h))\n        self.encodeur.add_module("relu", nn.ReLU(inplace=True))\n        self.encodeur.add_module("lin2", nn.Linear(h, k))\n        self.decodeur = nn.Sequential()\n        self.decodeur.add_module("lin1", nn.Linear(k, h))\n        self.decodeur.add_module("relu", nn.ReLU(inplace=True))\n        self.decodeur.add_module("lin2", nn.Linear(h, d))\n        self.decodeur.add_module("sig", nn.Sigmoid())\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def decode(self, z):\n        return self.decodeur(z)\n\n    def forward(self, x):\n        return self.decodeur(self.encodeur(x))\n',
        why='nn.ReLU(inplace=True) between the layers',
    ),
    'correct-ae_conv-functional': Correct(
        grade_id='ae_conv',
        source='class AutoEncodeurConv(nn.Module):\n    """Autoencodeur convolutif (N, 1, 8, 8) → (N, 4, 2, 2) → (N, 1, 8, 8)."""\n\n    def __init__(self):\n        super().__init__()\n        op = taille_sortie_convtranspose(2, 3, 2, 1, 1) - taille_sortie_convtranspose(2, 3, 2, 1, 0)\n        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)\n        self.conv2 = nn.Conv2d(8, 4, kernel_size=3, stride=2, padding=1)\n        self.deconv1 = nn.ConvTranspose2d(4, 8, kernel_size=3, stride=2, padding=1, output_padding=op)\n        self.deconv2 = nn.ConvTranspose2d(8, 1, kernel_size=3, stride=2, padding=1, output_padding=op)\n\n    def encode(self, x):\n        h = F.relu(self.conv1(x))\n        return F.relu(self.conv2(h))\n\n    def forward(self, x):\n        z = self.encode(x)\n        h = F.relu(self.deconv1(z))\n        return torch.sigmoid(self.deconv2(h))\n',
        why='F.relu / torch.sigmoid in forward',
    ),
    'correct-ae_conv-flat-sequential': Correct(
        grade_id='ae_conv',
        source='class AutoEncodeurConv(nn.Module):\n    def __init__(self):\n        super().__init__()\n        op = 1  # taille_sortie_convtranspose(2, 3, 2, 1, 1) == 4 et (4, 3, 2, 1, 1) == 8\n        self.encodeur = nn.Sequential(\n            nn.Conv2d(in_channels=1, out_channels=8, kernel_size=3, stride=2, padding=1),\n            nn.ReLU(),\n            nn.Conv2d(in_channels=8, out_channels=4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)),\n            nn.ReLU(),\n        )\n        self.dec1 = nn.ConvTranspose2d(4, 8, 3, 2, 1, output_padding=op)\n        self.dec2 = nn.ConvTranspose2d(8, 1, 3, 2, 1, output_padding=op)\n\n    def encode(self, x):\n        return self.encodeur(x)\n\n    def forward(self, x):\n        z = self.encode(x)\n        return torch.sigmoid(self.dec2(torch.relu(self.dec1(z))))\n',
        why='one flat nn.Sequential',
    ),
    'correct-ae_entrainement-split': Correct(
        grade_id='ae_entrainement',
        source='def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    X = torch.as_tensor(X).to(torch.float32)\n    gen = torch.Generator()\n    gen.manual_seed(seed)\n    optim = torch.optim.Adam(params=modele.parameters(), lr=lr)\n    historique = []\n    for ep in range(epochs):\n        indices = torch.randperm(X.shape[0], generator=gen)\n        for paquet in torch.split(indices, batch_size):\n            lot = X[paquet]\n            modele.zero_grad()\n            perte = F.mse_loss(modele(lot), lot, reduction="mean")\n            perte.backward()\n            optim.step()\n            historique.append(float(perte))\n    return modele\n',
        why='batches by ordre.split(batch_size)',
    ),
    'correct-debruiteur-float64-input': Correct(
        grade_id='debruiteur',
        source='def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):\n    if torch.is_tensor(X):\n        X = X.detach().to(torch.float32)\n    else:\n        X = torch.from_numpy(np.array(X, dtype=np.float32))\n    g = torch.Generator()\n    g.manual_seed(seed)\n    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n    modele.train()\n    for ep in range(epochs):\n        ordre = torch.randperm(X.shape[0], generator=g)\n        cumul = 0.0\n        for lot_idx in ordre.split(batch_size):\n            propre = X[lot_idx]\n            bruite = propre + sigma * torch.randn(propre.shape, generator=g)\n            optimiseur.zero_grad()\n            perte = torch.mean((modele(bruite) - propre) ** 2)\n            perte.backward()\n            optimiseur.step()\n            cumul += perte.item()\n        if ep == epochs - 1:\n            print("dernière époque, perte moyenne", cumul / len(ordre.split(batch_size)))\n    return modele\n',
        why='noise added to a float64 copy, cast back',
    ),
    'correct-vae_beta-kwargs': Correct(
        grade_id='vae_beta',
        source='def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):\n    torch.manual_seed(seed)\n    modele = VAE(d=64, k=k)\n    g = torch.Generator().manual_seed(seed)\n    donnees = torch.tensor(np.asarray(X, dtype=np.float32))\n    optimizer = torch.optim.Adam(modele.parameters(), lr=lr)\n    pertes = []\n    for epoch in range(epochs):\n        ordre = torch.randperm(len(donnees), generator=g)\n        debut = 0\n        while debut < len(donnees):\n            lot = donnees[ordre[debut:debut + batch_size]]\n            debut += batch_size\n            x_hat, mu, logvar = modele(lot)\n            perte = perte_vae(x=lot, x_hat=x_hat, mu=mu, logvar=logvar, beta=beta)\n            optimizer.zero_grad()\n            perte.backward()\n            optimizer.step()\n            pertes.append(perte.item())\n        print(f"époque {epoch + 1}/{epochs} : perte {np.mean(pertes[-10:]):.2f}")\n    return modele\n',
        why='perte_vae called with keyword arguments',
    ),
    'correct-reparametrisation-sqrt': Correct(
        grade_id='reparametrisation',
        source='def reparametrisation(mu, logvar, eps=None):\n    """z = mu + sigma * eps avec sigma = exp(logvar / 2) ; différentiable en mu et logvar."""\n    sigma = torch.sqrt(torch.exp(logvar))\n    if eps is None:\n        eps = torch.randn_like(mu)\n    z = eps * sigma + mu\n    return z\n',
        why='σ = sqrt(exp(logvar))',
    ),
})
CORRECT_GROUPS["blind-r10-correct"] = ('correct-elbo-manual-log-guard', 'correct-anomalie-mse-none-over-last-axis', 'correct-ae_classe-inplace-relu', 'correct-ae_conv-functional', 'correct-ae_entrainement-split', 'correct-debruiteur-float64-input', 'correct-vae_beta-kwargs', 'correct-reparametrisation-sqrt')
CORRECT_GROUPS["blind-r10-correct-b"] = ("correct-ae_conv-flat-sequential",)

# ------------------------------------------------------------ blind round 12
# The loss read from the gradient the loop sends back to the output of the grader's recording
# model (entrainer_ae, entrainer_debruiteur) or of the VAE's decoder (entrainer_vae); the noise
# of reparametrisation drawn per entry; the caller's X left as it is.
_AE = solution_cell(__file__, "ae_entrainement")
_DEB = solution_cell(__file__, "debruiteur")
_VAE = solution_cell(__file__, "vae_beta")
_REP = solution_cell(__file__, "reparametrisation")
_AE_LOSS = "            perte = F.mse_loss(modele(lot), lot)\n"
_DEB_LOSS = "            perte = F.mse_loss(modele(bruite), lot)\n"
_VAE_LOSS = "            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n"
_REP_EPS = "        eps = torch.randn_like(mu)\n"
SCENARIOS.update({
    "submission-ae_entrainement-l1-loss": Scenario(
        grade_id="ae_entrainement",
        source=edit(_AE, (_AE_LOSS, "            perte = F.l1_loss(modele(lot), lot)\n")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("perte L1",),
    ),
    "submission-ae_entrainement-bce-loss": Scenario(
        grade_id="ae_entrainement",
        source=edit(_AE, (_AE_LOSS, "            perte = F.binary_cross_entropy(modele(lot), lot)\n")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("entropie croisée binaire",),
    ),
    "submission-ae_entrainement-smooth-l1-loss": Scenario(
        grade_id="ae_entrainement",
        source=edit(_AE, (_AE_LOSS, "            perte = F.smooth_l1_loss(modele(lot), lot)\n")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("smooth L1",),
    ),
    "submission-ae_entrainement-mse-summed-over-pixels": Scenario(
        grade_id="ae_entrainement",
        source=edit(_AE, (_AE_LOSS, "            perte = ((modele(lot) - lot) ** 2).sum(dim=-1).mean()\n")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("sommée sur les pixels",),
    ),
    "submission-debruiteur-l1-loss": Scenario(
        grade_id="debruiteur",
        source=edit(_DEB, (_DEB_LOSS, "            perte = F.l1_loss(modele(bruite), lot)\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("perte L1",),
    ),
    "submission-debruiteur-noises-the-callers-x": Scenario(
        grade_id="debruiteur",
        source=edit(_DEB, ("    X = torch.as_tensor(X, dtype=torch.float32)\n",
                           "    X = torch.as_tensor(X, dtype=torch.float32)\n    X_propre = X.clone()\n"
                           "    X += sigma * torch.randn(X.shape, generator=g)\n"),
                    ("            lot = X[ordre[debut : debut + batch_size]]\n",
                     "            lot = X_propre[ordre[debut : debut + batch_size]]\n"),
                    ("            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n",
                     "            bruite = X[ordre[debut : debut + batch_size]]\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("modifie sur place le tableau X",),
    ),
    "submission-debruiteur-same-noise-every-batch-of-an-epoch": Scenario(
        grade_id="debruiteur",
        source=edit(_DEB, ("        ordre = torch.randperm(len(X), generator=g)\n",
                           "        ordre = torch.randperm(len(X), generator=g)\n"
                           "        bruit = torch.randn((batch_size,) + tuple(X.shape[1:]), generator=g)\n"),
                    ("            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n",
                     "            bruite = lot + sigma * bruit[: len(lot)]\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("le même bruit est ajouté à chaque lot",),
    ),
    "submission-reparametrisation-eps-shared-across-dims": Scenario(
        grade_id="reparametrisation",
        source=edit(_REP, (_REP_EPS, "        eps = torch.randn(mu.shape[0], 1)\n")),
        must_fail=("test_reparametrisation_draws_normal_noise",),
        message_contains=("partagé entre les dimensions",),
    ),
    "submission-reparametrisation-eps-expanded": Scenario(
        grade_id="reparametrisation",
        source=edit(_REP, (_REP_EPS, "        eps = torch.randn(mu.shape[0], 1).expand_as(mu)\n")),
        must_fail=("test_reparametrisation_draws_normal_noise",),
        message_contains=("torch.randn_like(mu)",),
    ),
    "submission-vae_beta-summed-mse-instead-of-perte_vae": Scenario(
        grade_id="vae_beta",
        source=edit(_VAE, (_VAE_LOSS, "            perte = ((x_hat - lot) ** 2).sum(dim=1).mean() "
                                      "+ beta * kl_gaussienne(mu, logvar).mean()\n")),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("erreur quadratique (MSE)",),
    ),
    "submission-vae_beta-kl-without-beta": Scenario(
        grade_id="vae_beta",
        source=edit(_VAE, (_VAE_LOSS, "            perte = perte_vae(lot, x_hat, mu, logvar)\n")),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("sans β",),
    ),
})
GROUPS["blind-r12-a"] = ("submission-ae_entrainement-l1-loss", "submission-debruiteur-l1-loss",
                         "submission-reparametrisation-eps-shared-across-dims",
                         "submission-vae_beta-summed-mse-instead-of-perte_vae")
GROUPS["blind-r12-b"] = ("submission-ae_entrainement-bce-loss", "submission-debruiteur-noises-the-callers-x",
                         "submission-reparametrisation-eps-expanded", "submission-vae_beta-kl-without-beta")
GROUPS["blind-r12-c"] = ("submission-ae_entrainement-smooth-l1-loss",
                         "submission-debruiteur-same-noise-every-batch-of-an-epoch")
GROUPS["blind-r12-d"] = ("submission-ae_entrainement-mse-summed-over-pixels",)
CORRECT.update({
    "correct-ae_entrainement-mse-by-hand-float64": Correct(
        grade_id="ae_entrainement",
        source=edit(_AE, (_AE_LOSS, "            perte = ((lot.double() - modele(lot).double()) ** 2).mean()\n")),
        why="the mean of the squares written out, in float64, arguments in the other order",
    ),
    "correct-debruiteur-sum-over-numel": Correct(
        grade_id="debruiteur",
        source=edit(_DEB, (_DEB_LOSS, "            perte = F.mse_loss(modele(bruite), lot, reduction='sum') / lot.numel()\n")),
        why="reduction='sum' divided by N·d: the same mean",
    ),
    "correct-vae_beta-loss-written-out-encode-again": Correct(
        grade_id="vae_beta",
        source=edit(_VAE, ("            x_hat, mu, logvar = modele(lot)\n",
                           "            x_hat, _, _ = modele(lot)\n            mu, logvar = modele.encode(lot)\n"),
                    (_VAE_LOSS, "            perte = F.binary_cross_entropy(x_hat, lot, reduction='sum') / len(lot) "
                                "+ beta * kl_gaussienne(mu, logvar).mean()\n")),
        why="perte_vae's loss written out (BCE summed / N + β·mean KL), μ and log σ² from a second encode",
    ),
    "correct-reparametrisation-randn-of-shape": Correct(
        grade_id="reparametrisation",
        source=edit(_REP, (_REP_EPS, "        eps = torch.randn(mu.shape, dtype=mu.dtype)\n")),
        why="torch.randn(mu.shape): one draw per entry, as randn_like",
    ),
})
CORRECT_GROUPS["blind-r12-correct"] = ("correct-ae_entrainement-mse-by-hand-float64", "correct-debruiteur-sum-over-numel",
                                       "correct-vae_beta-loss-written-out-encode-again",
                                       "correct-reparametrisation-randn-of-shape")
SCENARIOS["submission-ae_conv-intermediate-3x3-without-resizing"] = Scenario(
    grade_id="ae_conv",
    source=edit(solution_cell(__file__, "ae_conv"),
                ("nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1)",
                 "nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=0)"),
                ("nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1)",
                 "nn.ConvTranspose2d(8, 1, 3, stride=2, padding=0, output_padding=1)")),
    must_fail=("test_ae_conv_architecture",),
    message_contains=("le plan intermédiaire n'a pas la taille",),
)
GROUPS["blind-r12-d"] = (*GROUPS["blind-r12-d"], "submission-ae_conv-intermediate-3x3-without-resizing")


# Blind round 14: ε always drawn, the eps argument ignored. The public fixed-ε check said only
# "σ = exp(log σ² / 2)"; two calls with the same ε now show the ε received is not used.
SCENARIOS["blind-r14-reparam-ignores-eps"] = Scenario(
    grade_id="reparametrisation",
    source=edit(solution_with_docs(__file__, "reparametrisation", "Tire toujours un nouvel eps."),
                ("    if eps is None:\n        eps = torch.randn_like(mu)\n",
                 "    eps = torch.randn_like(mu)\n")),
    must_fail=("test_reparametrisation_fixed_eps", "test_reparametrisation_values",
               "test_reparametrisation_gradients"),
    message_contains=("utilisez l'argument eps", "en utilisant l'eps reçu"),
)
GROUPS["blind-r14-1"] = ("blind-r14-reparam-ignores-eps",)


# ------------------------------------------------------------ blind round 15
# One Adam for the whole training (watch_optimisers: the optimisers that stepped the recording
# model, and Adam's step count against the steps received): an Adam built inside the epoch loop
# restarts its moments and bias correction at every epoch, and the outcome checks cannot see it
# (entrainer_ae, entrainer_debruiteur, entrainer_vae). Functions that return shape (N,) are
# also called with ONE example (kl_gaussienne, score_anomalie): .squeeze() gives shape () there.
# Noise shared by every example (torch.randn(k) broadcast) is named before the law of the noise.
_ADAM_ONCE = ("    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n"
              "    for _ in range(epochs):\n")
_ADAM_EACH_EPOCH = ("    for _ in range(epochs):\n"
                    "        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n")
_ONE_OPTIMISER = "UNE fois, avant la boucle des époques"
SCENARIOS.update({
    "blind-r15-ae-adam-reset-each-epoch": Scenario(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    for _ in range(epochs):
        optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut : debut + batch_size]]
            perte = F.mse_loss(modele(lot), lot)
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=(_ONE_OPTIMISER, "optimiseurs successifs"),
    ),
    "blind-r15-kl-squeeze": Scenario(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ) pour chaque exemple : tenseur (N,)."""
    kl = -0.5 * (1 + logvar - mu ** 2 - torch.exp(logvar)).sum(dim=1, keepdim=True)
    return kl.squeeze()
''',
        must_fail=("test_kl_closed_form",),
        message_contains=("pour UN seul exemple", ".squeeze()"),
    ),
    "blind-r15-reparam-shared-eps": Scenario(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    """z = mu + sigma * eps avec sigma = exp(logvar / 2) ; différentiable en mu et logvar."""
    if eps is None:
        eps = torch.randn(mu.shape[-1])  # un bruit par dimension latente
    sigma = torch.exp(logvar / 2)
    return mu + sigma * eps
''',
        must_fail=("test_reparametrisation_draws_normal_noise",),
        message_contains=("un ε par exemple : torch.randn_like(mu), de forme (N, k)",
                          "partagé par tous les exemples"),
    ),
    "blind-r15-debruiteur-adam-reset-each-epoch": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, "debruiteur", "Un nouvel Adam à chaque époque."),
                    (_ADAM_ONCE, _ADAM_EACH_EPOCH)),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=(_ONE_OPTIMISER,),
    ),
    "blind-r15-vae-adam-reset-each-epoch": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, "vae_beta", "Un nouvel Adam à chaque époque."),
                    (_ADAM_ONCE, _ADAM_EACH_EPOCH)),
        must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
        message_contains=(_ONE_OPTIMISER,),
    ),
    "blind-r15-anomalie-squeeze": Scenario(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    X = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        return ((X - modele(X)) ** 2).mean(dim=1, keepdim=True).squeeze()
''',
        must_fail=("test_score_anomalie_values",),
        message_contains=("pour UN seul exemple", ".squeeze()"),
    ),
    # The same faults, written otherwise: an Adam built for every batch (its step count never
    # passes 1), a single ε value shared by every entry, a state cleared at every epoch.
    "blind-r15-ae-adam-each-batch": Scenario(
        grade_id="ae_entrainement",
        source=edit(solution_with_docs(__file__, "ae_entrainement", "Un nouvel Adam à chaque lot."),
                    ("    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n", ""),
                    ("            optimiseur.zero_grad()\n",
                     "            optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)\n"
                     "            optimiseur.zero_grad()\n")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=(_ONE_OPTIMISER,),
    ),
    "blind-r15-reparam-one-scalar-eps": Scenario(
        grade_id="reparametrisation",
        source=edit(solution_with_docs(__file__, "reparametrisation", "Un seul ε pour tout le tenseur."),
                    ("        eps = torch.randn_like(mu)\n", "        eps = torch.randn(1)\n")),
        must_fail=("test_reparametrisation_draws_normal_noise",),
        message_contains=("un ε par exemple",),
    ),
    "blind-r15-debruiteur-adam-state-cleared": Scenario(
        grade_id="debruiteur",
        source=edit(solution_with_docs(__file__, "debruiteur", "L'état d'Adam vidé à chaque époque."),
                    ("        ordre = torch.randperm(len(X), generator=g)\n",
                     "        optimiseur.state.clear()\n"
                     "        ordre = torch.randperm(len(X), generator=g)\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("remis à zéro en cours d'entraînement",),
    ),
})
GROUPS["blind-r15-1"] = ("blind-r15-ae-adam-reset-each-epoch", "blind-r15-kl-squeeze",
                         "blind-r15-reparam-shared-eps", "blind-r15-debruiteur-adam-reset-each-epoch",
                         "blind-r15-vae-adam-reset-each-epoch", "blind-r15-anomalie-squeeze")
GROUPS["blind-r15-2"] = ("blind-r15-ae-adam-each-batch", "blind-r15-reparam-one-scalar-eps",
                         "blind-r15-debruiteur-adam-state-cleared")
CORRECT.update({
    "blind-r15-correct-ae-dataloader": Correct(
        grade_id="ae_entrainement",
        source='''from torch.utils.data import DataLoader, TensorDataset


def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    g = torch.Generator().manual_seed(seed)
    X = torch.tensor(np.asarray(X), dtype=torch.float32)
    chargeur = DataLoader(TensorDataset(X), batch_size=batch_size, shuffle=True, generator=g)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for epoque in range(epochs):
        total = 0.0
        for (lot,) in chargeur:
            optimiseur.zero_grad()
            x_hat = modele(lot)
            perte = ((x_hat - lot) ** 2).mean()
            perte.backward()
            optimiseur.step()
            total += perte.item() * len(lot)
    return modele
''',
        why="the blind tester's DataLoader(shuffle=True, generator=g), one Adam before the loop",
    ),
    "blind-r15-correct-debruiteur-torch-normal": Correct(
        grade_id="debruiteur",
        source='''def _bruiter(lot, sigma, g):
    return lot + torch.normal(0.0, sigma, size=lot.shape, generator=g)


def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X propre à partir de X + sigma · bruit ; renvoie le modèle."""
    g = torch.Generator().manual_seed(seed)
    Xt = torch.tensor(np.asarray(X, dtype=np.float32))
    N = Xt.shape[0]
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    for ep in range(epochs):
        perm = torch.randperm(N, generator=g)
        i = 0
        while i < N:
            propre = Xt[perm[i : i + batch_size]]
            opt.zero_grad()
            sortie = modele(_bruiter(propre, sigma, g))
            perte = F.mse_loss(sortie, propre)
            perte.backward()
            opt.step()
            i += batch_size
    return modele
''',
        why="the blind tester's torch.normal(0, sigma, generator=g) in a helper, a while loop",
    ),
    "blind-r15-correct-kl-distributions": Correct(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ) pour chaque exemple : tenseur (N,)."""
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return torch.distributions.kl_divergence(q, p).sum(dim=-1)
''',
        why="the blind tester's torch.distributions.kl_divergence summed over dim=-1",
    ),
    "blind-r15-correct-reparam-sqrt": Correct(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    """z = mu + sigma * eps avec sigma = exp(logvar / 2) ; différentiable en mu et logvar."""
    if eps is None:
        eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device)
    sigma = torch.sqrt(torch.exp(logvar))
    z = eps * sigma       # nouveau tenseur
    z = z + mu
    return z
''',
        why="the blind tester's torch.randn(mu.shape, dtype=mu.dtype), σ = sqrt(exp(logvar))",
    ),
    "blind-r15-correct-anomalie-loop-float64": Correct(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    X = torch.as_tensor(X, dtype=torch.float32)
    scores = []
    with torch.no_grad():
        sorties = modele(X)
        for i in range(X.shape[0]):
            diff = (X[i].double() - sorties[i].double()) ** 2
            scores.append(diff.sum() / diff.numel())
    return torch.stack(scores) if scores else torch.zeros(0, dtype=torch.float64)
''',
        why="the blind tester's loop over the examples in float64, torch.stack (N = 1 included)",
    ),
    "blind-r15-correct-vae-epoch-helper": Correct(
        grade_id="vae_beta",
        source='''def _une_epoque(modele, X, optimiseur, ordre, batch_size, beta):
    total = 0.0
    for debut in range(0, len(X), batch_size):
        lot = X[ordre[debut : debut + batch_size]]
        optimiseur.zero_grad()
        x_hat, mu, logvar = modele(lot)
        perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)
        perte.backward()
        optimiseur.step()
        total += perte.item() * len(lot)
    return total / len(X)


def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """Entraîne un VAE(64, k) sur X en minimisant perte_vae(…, beta) ; renvoie le modèle."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.from_numpy(np.asarray(X, dtype=np.float32)) if not torch.is_tensor(X) else X.float()
    modele = VAE(64, k)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        ordre = torch.randperm(X.shape[0], generator=g)
        moyenne = _une_epoque(modele, X, optimiseur, ordre, batch_size, beta)
        if epoque == epochs - 1:
            print(f"beta={beta} : perte finale {moyenne:.2f}")
    return modele
''',
        why="the blind tester's one optimiser handed to an epoch helper",
    ),
    # Correct variants a student writes for the items touched.
    "blind-r15-correct-ae-adam-hyperparameters": Correct(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    optimiseur = torch.optim.Adam(list(modele.parameters()), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator()
    g.manual_seed(seed)
    donnees = torch.as_tensor(X, dtype=torch.float32)
    n = donnees.shape[0]
    for epoque in range(epochs):
        permutation = torch.randperm(n, generator=g)
        for lot_idx in permutation.split(batch_size):
            lot = donnees[lot_idx]
            optimiseur.zero_grad(set_to_none=True)
            perte = F.mse_loss(modele(lot), lot)
            perte.backward()
            optimiseur.step()
    return modele
''',
        why="Adam built first with its default betas and eps written out, zero_grad(set_to_none=True)",
    ),
    "blind-r15-correct-debruiteur-randn-size": Correct(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X propre à partir de X + sigma · bruit ; renvoie le modèle."""
    X = torch.as_tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)

    def pas(lot):
        bruite = lot + torch.randn(lot.size(), generator=g) * sigma
        optimiseur.zero_grad(set_to_none=True)
        perte = F.mse_loss(modele(bruite), lot)
        perte.backward()
        optimiseur.step()
        return perte.item()

    for _ in range(epochs):
        ordre = torch.randperm(X.shape[0], generator=g)
        pertes = [pas(X[ordre[i : i + batch_size]]) for i in range(0, X.shape[0], batch_size)]
    return modele
''',
        why="one Adam stepped from an inner helper, torch.randn(lot.size(), generator=g) * sigma",
    ),
    "blind-r15-correct-kl-squeeze-one": Correct(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ) pour chaque exemple : tenseur (N,)."""
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1, keepdim=True)
    return kl.squeeze(1)
''',
        why="keepdim=True then .squeeze(1): shape (N,) for N = 1 too",
    ),
    "blind-r15-correct-reparam-torch-normal": Correct(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    """z = mu + sigma * eps avec sigma = exp(logvar / 2) ; différentiable en mu et logvar."""
    if eps is None:
        eps = torch.normal(torch.zeros_like(mu), torch.ones_like(mu))
    return mu + eps * (0.5 * logvar).exp()
''',
        why="torch.normal(zeros_like(mu), ones_like(mu)): one draw per entry",
    ),
    "blind-r15-correct-anomalie-squeeze-last": Correct(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    with torch.no_grad():
        X = torch.as_tensor(X, dtype=torch.float32)
        erreur = F.mse_loss(modele(X), X, reduction="none")
        return erreur.mean(dim=-1, keepdim=True).squeeze(-1)
''',
        why="mse_loss(reduction='none').mean(dim=-1, keepdim=True).squeeze(-1): (N,) for N = 1 too",
    ),
    "blind-r15-correct-vae-adam-list": Correct(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """Entraîne un VAE(64, k) sur X en minimisant perte_vae(…, beta) ; renvoie le modèle."""
    torch.manual_seed(seed)
    modele = VAE(64, k)
    optimiseur = torch.optim.Adam(list(modele.parameters()), lr=lr, betas=(0.9, 0.999))
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    for epoque in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            lot = X[idx]
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta)
            optimiseur.zero_grad(set_to_none=True)
            perte.backward()
            optimiseur.step()
    return modele
''',
        why="one Adam over list(parameters()) with its default betas, batches by split",
    ),
})
CORRECT_GROUPS["blind-r15-correct"] = ("blind-r15-correct-ae-dataloader", "blind-r15-correct-debruiteur-torch-normal",
                                       "blind-r15-correct-kl-distributions", "blind-r15-correct-reparam-sqrt",
                                       "blind-r15-correct-anomalie-loop-float64",
                                       "blind-r15-correct-vae-epoch-helper")
CORRECT_GROUPS["blind-r15-correct-b"] = ("blind-r15-correct-ae-adam-hyperparameters",
                                         "blind-r15-correct-debruiteur-randn-size",
                                         "blind-r15-correct-kl-squeeze-one",
                                         "blind-r15-correct-reparam-torch-normal",
                                         "blind-r15-correct-anomalie-squeeze-last",
                                         "blind-r15-correct-vae-adam-list")

# ------------------------------------------------------------ blind test r17
# β changed during training (the statement trains every batch on perte_vae(…, beta=beta)):
# read from the KL part of the gradient on μ at every step of three epochs. And a linear
# autoencoder made non-affine by a Dropout: the hint names the random layer, not an activation.
_PERTE_BETA = "            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta)\n"
SCENARIOS.update({
    "blind-r17-vae-kl-annealing": Scenario(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """Entraîne un VAE(64, k) sur X en minimisant perte_vae(…, beta) ; renvoie le modèle."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    modele = VAE(X.shape[1], k)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for epoque in range(epochs):
        # "KL annealing" : beta augmente progressivement jusqu'à sa valeur finale
        beta_courant = beta * (epoque + 1) / epochs
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut:debut + batch_size]]
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta=beta_courant)
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_beta_reduces_kl",),
        message_contains=("le coefficient β de la KL change d'un lot à l'autre", "KL annealing"),
    ),
    "blind-r17-vae-beta-last-epoch-only": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, "vae_beta", "La KL seulement à la dernière époque."),
                    ("    for _ in range(epochs):\n", "    for epoque in range(epochs):\n"),
                    (_PERTE_BETA,
                     "            b = beta if epoque == epochs - 1 else 0.0\n"
                     "            perte = perte_vae(lot, x_hat, mu, logvar, beta=b)\n")),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("le coefficient β de la KL change d'un lot à l'autre",),
    ),
    "blind-r17-vae-beta-warmup-per-step": Scenario(
        grade_id="vae_beta",
        source=edit(solution_with_docs(__file__, "vae_beta", "β échauffé pas à pas, dans une perte écrite à la main."),
                    ("    for _ in range(epochs):\n", "    pas = 0\n    for _ in range(epochs):\n"),
                    (_PERTE_BETA,
                     "            pas += 1\n"
                     "            bce = F.binary_cross_entropy(x_hat, lot, reduction='sum') / len(lot)\n"
                     "            perte = bce + beta * min(1.0, pas / 50) * kl_gaussienne(mu, logvar).mean()\n")),
        must_fail=("test_beta_reduces_kl",),
        message_contains=("le coefficient β de la KL change d'un lot à l'autre",),
    ),
    "blind-r17-ae-lineaire-dropout": Scenario(
        grade_id="ae_lineaire",
        source='''class AutoEncodeurLineaire(nn.Module):
    """Autoencodeur linéaire d → k → d (aucune activation)."""

    def __init__(self, d=64, k=2):
        super().__init__()
        self.encodeur = nn.Linear(d, k)
        self.decodeur = nn.Linear(k, d)
        self.dropout = nn.Dropout(0.1)  # un peu de régularisation (ce n'est pas une activation)

    def forward(self, x):
        return self.decodeur(self.dropout(self.encodeur(x)))
''',
        must_fail=("test_ae_lineaire_is_affine", "test_ae_lineaire_matches_pca"),
        message_contains=("sa sortie change d'un appel à l'autre pour la même entrée",
                          "le modèle contient Dropout"),
    ),
    "blind-r17-ae-lineaire-functional-dropout": Scenario(
        grade_id="ae_lineaire",
        source=edit(solution_with_docs(__file__, "ae_lineaire", "Un dropout fonctionnel sur le code."),
                    ("        return self.decodeur(self.encodeur(x))\n",
                     "        return self.decodeur(F.dropout(self.encodeur(x), 0.2, self.training))\n")),
        must_fail=("test_ae_lineaire_is_affine", "test_ae_lineaire_matches_pca"),
        message_contains=("une couche aléatoire (un nn.Dropout, du bruit ?)",),
    ),
})
GROUPS["blind-r17-1"] = ("blind-r17-vae-kl-annealing", "blind-r17-ae-lineaire-dropout")
GROUPS["blind-r17-2"] = ("blind-r17-vae-beta-last-epoch-only", "blind-r17-ae-lineaire-functional-dropout")
GROUPS["blind-r17-3"] = ("blind-r17-vae-beta-warmup-per-step",)
CORRECT.update({
    "blind-r17-correct-vae-split-prints": Correct(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """Entraîne un VAE(64, k) sur X en minimisant perte_vae(…, beta) ; renvoie le modèle."""
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    torch.manual_seed(seed)
    modele = VAE(64, k)
    g = torch.Generator()
    g.manual_seed(seed)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    historique = []
    for epoque in range(epochs):
        somme, n = 0.0, 0
        for idx in torch.randperm(X.shape[0], generator=g).split(batch_size):
            lot = X[idx]
            optimiseur.zero_grad()
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar, beta)
            perte.backward()
            optimiseur.step()
            somme += perte.item() * len(idx)
            n += len(idx)
        historique.append(somme / n)
    print(f"beta = {beta} : -ELBO {historique[0]:.2f} -> {historique[-1]:.2f}")
    return modele
''',
        why="the blind tester's right answer: batches by split, the loss averaged per epoch",
    ),
    "blind-r17-correct-vae-hand-loss-epoch-eval": Correct(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """Entraîne un VAE(64, k) sur X en minimisant perte_vae(…, beta) ; renvoie le modèle."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    modele = VAE(X.shape[1], k)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    pertes = []
    for epoque in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut : debut + batch_size]]
            x_hat, mu, logvar = modele(lot)
            reconstruction = F.binary_cross_entropy(x_hat, lot, reduction="none").sum(dim=1)
            perte = (reconstruction + beta * kl_gaussienne(mu, logvar)).mean()
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
        # suivi : la perte sur tout X (sans no_grad, on ne fait que lire .item())
        x_hat, mu, logvar = modele(X)
        pertes.append(perte_vae(X, x_hat, mu, logvar, beta=beta).item())
    return modele
''',
        why="the loss written out per example then averaged, and an epoch loss on all of X with "
            "gradients on but no backward",
    ),
    "blind-r17-correct-ae-lineaire-sequential": Correct(
        grade_id="ae_lineaire",
        source='''class AutoEncodeurLineaire(nn.Module):
    """Autoencodeur linéaire d → k → d (aucune activation)."""

    def __init__(self, d=64, k=2):
        super().__init__()
        self.encodeur = nn.Linear(d, k)
        self.decodeur = nn.Linear(k, d)
        self.reseau = nn.Sequential(self.encodeur, nn.Identity(), self.decodeur)

    def forward(self, x):
        return self.reseau(x)
''',
        why="the two layers chained by an nn.Sequential (with an nn.Identity) that shares them",
    ),
})
CORRECT_GROUPS["blind-r17-correct"] = ("blind-r17-correct-vae-split-prints",
                                       "blind-r17-correct-ae-lineaire-sequential")
CORRECT_GROUPS["blind-r17-correct-b"] = ("blind-r17-correct-vae-hand-loss-epoch-eval",)

# Blind round 19: hints that name the fault (an X rescaled before the model, one noise value per
# image or per batch, a forward that mixes the examples of a batch, one epoch fewer), the
# rescaled X drawn at every variant (inputs below 0.8), and the statistical bands confirmed on a
# fresh seed (the denoiser's and reparametrisation's noise) or accepting the closed form outright
# (the KL against Monte Carlo).
_ANO = solution_cell(__file__, "anomalie")
_LIN = solution_cell(__file__, "ae_lineaire")
_ANO_X = "    X = torch.as_tensor(X, dtype=torch.float32)\n"
_DEB_NOISE = "            bruite = lot + sigma * torch.randn(lot.shape, generator=g)\n"
SCENARIOS.update({
    "blind-r19-anomalie-rescales-by-max": Scenario(
        grade_id="anomalie",
        source=edit(_ANO, (_ANO_X, _ANO_X + "    X = X / X.max()  # pixels dans [0, 1] comme à l'entraînement\n")),
        must_fail=("test_score_anomalie_fixed_models", "test_score_anomalie_values"),
        message_contains=("multiplié par un même facteur",),
    ),
    "blind-r19-anomalie-divides-by-16": Scenario(
        grade_id="anomalie",
        source=edit(_ANO, (_ANO_X, "    X = torch.as_tensor(X, dtype=torch.float32) / 16  # pixels entre 0 et 16\n")),
        must_fail=("test_score_anomalie_fixed_models", "test_score_anomalie_values"),
        message_contains=("multiplié par un même facteur",),
        # every score shrinks with the rescaled input; their order may or may not survive
        may_fail=("test_score_anomalie_auroc",),
    ),
    "blind-r19-debruiteur-one-noise-per-image": Scenario(
        grade_id="debruiteur",
        source=edit(_DEB, (_DEB_NOISE,
                           "            bruit = torch.randn((len(lot), 1), generator=g)  # un bruit par image\n"
                           "            bruite = lot + sigma * bruit\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("le même pour tous les pixels d'une image",),
    ),
    "blind-r19-debruiteur-one-noise-per-batch": Scenario(
        grade_id="debruiteur",
        source=edit(_DEB, (_DEB_NOISE,
                           "            bruit = torch.randn(lot.shape[1:], generator=g)  # un bruit par lot\n"
                           "            bruite = lot + sigma * bruit\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("les images d'un même lot reçoivent le même bruit",),
        # the same noise on a whole batch may or may not teach the model to denoise
        may_fail=("test_debruiteur_beats_identity",),
    ),
    "blind-r19-debruiteur-one-epoch-fewer": Scenario(
        grade_id="debruiteur",
        source=edit(_DEB, ("    for _ in range(epochs):\n", "    for _ in range(1, epochs):\n")),
        must_fail=("test_entrainer_debruiteur_noise",),
        message_contains=("une époque de moins",),
    ),
    "blind-r19-ae-lineaire-centres-the-batch": Scenario(
        grade_id="ae_lineaire",
        source=edit(_LIN, ("        return self.decodeur(self.encodeur(x))\n",
                           "        # comme l'ACP : on centre les données, puis on rajoute la moyenne\n"
                           "        moyenne = x.mean(dim=0, keepdim=True)\n"
                           "        return self.decodeur(self.encodeur(x - moyenne)) + moyenne\n")),
        must_fail=("test_ae_lineaire_is_affine", "test_ae_lineaire_matches_pca"),
        message_contains=("dépend des AUTRES exemples du lot",),
    ),
    "blind-r19-ae-entrainement-one-epoch-fewer": Scenario(
        grade_id="ae_entrainement",
        source=edit(_AE, ("    for _ in range(epochs):\n", "    for epoque in range(1, epochs):\n")),
        must_fail=("test_entrainer_ae_uses_its_arguments",),
        message_contains=("une époque de moins",),
    ),
    "blind-r19-vae-one-epoch-fewer": Scenario(
        grade_id="vae_beta",
        source=edit(_VAE, ("    for _ in range(epochs):\n", "    for _ in range(1, epochs):\n")),
        must_fail=("test_entrainer_vae_batches_cover_the_epoch",),
        message_contains=("une époque de moins",),
    ),
})
GROUPS["blind-r19-1"] = ("blind-r19-anomalie-rescales-by-max", "blind-r19-debruiteur-one-noise-per-image",
                         "blind-r19-ae-lineaire-centres-the-batch", "blind-r19-ae-entrainement-one-epoch-fewer")
GROUPS["blind-r19-2"] = ("blind-r19-anomalie-divides-by-16", "blind-r19-debruiteur-one-epoch-fewer",
                         "blind-r19-vae-one-epoch-fewer")
GROUPS["blind-r19-3"] = ("blind-r19-debruiteur-one-noise-per-batch",)

CORRECT.update({
    # The tester's report, item 1: torch.manual_seed(seed) and the global generator for the
    # shuffling instead of g: reproducible from the seed, another order for another seed, a new
    # permutation at every epoch; the course accepts it for every loop of the TP
    # (correct-vae-dataloader, correct-denoiser-global-seed-randn-like).
    "blind-r19-correct-vae-global-randperm": Correct(
        grade_id="vae_beta",
        source=edit(_VAE, ("    g = torch.Generator().manual_seed(seed)\n", ""),
                    ("        ordre = torch.randperm(len(X), generator=g)\n",
                     "        ordre = torch.randperm(len(X))\n")),
        why="torch.manual_seed(seed) then the global generator for the shuffling: reproducible, "
            "seed-dependent, reshuffled every epoch",
    ),
    "blind-r19-correct-anomalie-chunked": Correct(
        grade_id="anomalie",
        source='''TAILLE_BLOC = 256


def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    X = torch.as_tensor(X).float()
    morceaux = []
    with torch.inference_mode():
        for i in range(0, X.shape[0], TAILLE_BLOC):
            xb = X[i:i + TAILLE_BLOC]
            err = (modele(xb) - xb).pow(2)
            morceaux.append(err.mean(dim=-1))
    return torch.cat(morceaux).clone()
''',
        why="blocks of 256 rows under inference_mode, concatenated",
    ),
    "blind-r19-correct-debruiteur-own-noise-generator": Correct(
        grade_id="debruiteur",
        source='''def bruiter(lot, sigma, generateur):
    """Ajoute un bruit gaussien d'écart-type sigma (nouveau tenseur)."""
    return lot + sigma * torch.randn(lot.shape, generator=generateur, dtype=lot.dtype)


def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X propre à partir de X + sigma · bruit ; renvoie le modèle."""
    g = torch.Generator().manual_seed(seed)
    g_bruit = torch.Generator().manual_seed(seed + 12345)
    X = torch.as_tensor(X, dtype=torch.float32)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    n = X.shape[0]
    for ep in range(epochs):
        ordre = torch.randperm(n, generator=g)
        for i in range(0, n, batch_size):
            propre = X[ordre[i:i + batch_size]]
            entree = bruiter(propre, sigma, g_bruit)
            opt.zero_grad()
            perte = F.mse_loss(modele(entree), propre)
            perte.backward()
            opt.step()
    return modele
''',
        why="a second generator for the noise, a helper that noises a batch",
    ),
    "blind-r19-correct-ae-lineaire-tied-init": Correct(
        grade_id="ae_lineaire",
        source='''class AutoEncodeurLineaire(nn.Module):
    """Autoencodeur linéaire d → k → d (aucune activation)."""

    def __init__(self, d=64, k=2):
        super().__init__()
        self.encodeur = nn.Linear(d, k)
        self.decodeur = nn.Linear(k, d)
        with torch.no_grad():
            self.decodeur.weight.copy_(self.encodeur.weight.t())
            self.decodeur.bias.zero_()

    def forward(self, x):
        code = self.encodeur(x)
        return self.decodeur(code)
''',
        why="the decoder initialised as the encoder's transpose, the weights left independent",
    ),
    "blind-r19-correct-ae-entrainement-split": Correct(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Entraîne `modele` à reconstruire X avec Adam et la MSE ; renvoie le modèle entraîné."""
    if not torch.is_tensor(X):
        X = torch.from_numpy(np.asarray(X))
    X = X.to(torch.float32)
    N = X.shape[0]
    g = torch.Generator()
    g.manual_seed(seed)
    opt = torch.optim.Adam(modele.parameters(), lr=lr)
    modele.train()
    for epoque in range(epochs):
        perm = torch.randperm(N, generator=g)
        total = 0.0
        for lot in torch.split(X[perm], batch_size):
            opt.zero_grad()
            x_hat = modele(lot)
            perte = ((x_hat - lot) ** 2).mean()
            perte.backward()
            opt.step()
            total += perte.item() * len(lot)
        if epoque % 5 == 0:
            print(f"époque {epoque} : perte {total / N:.4f}")
    return modele
''',
        why="torch.split of the permuted X, the MSE by hand, a print every 5 epochs",
    ),
    # Variants written for the checks touched in round 19.
    "blind-r19-correct-debruiteur-torch-normal": Correct(
        grade_id="debruiteur",
        source=edit(_DEB, (_DEB_NOISE,
                           "            bruit = torch.normal(0.0, sigma, size=tuple(lot.shape), generator=g)\n"
                           "            bruite = lot + bruit\n")),
        why="the noise drawn as torch.normal(0, sigma) of the batch's shape",
    ),
    "blind-r19-correct-ae-lineaire-functional": Correct(
        grade_id="ae_lineaire",
        source=edit(_LIN, ("        return self.decodeur(self.encodeur(x))\n",
                           "        z = F.linear(x, self.encodeur.weight, self.encodeur.bias)\n"
                           "        return F.linear(z, self.decodeur.weight, self.decodeur.bias)\n")),
        why="the two layers applied with F.linear",
    ),
    "blind-r19-correct-anomalie-sum-over-d": Correct(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    X = torch.as_tensor(X, dtype=torch.float32)
    modele.eval()
    with torch.no_grad():
        ecarts = (modele(X) - X).pow(2)
    return ecarts.sum(dim=1) / X.shape[1]
''',
        why="a sum over the columns divided by d = X.shape[1], eval mode",
    ),
})
CORRECT_GROUPS["blind-r19-correct"] = ("blind-r19-correct-vae-global-randperm", "blind-r19-correct-anomalie-chunked",
                                       "blind-r19-correct-debruiteur-own-noise-generator",
                                       "blind-r19-correct-ae-lineaire-tied-init",
                                       "blind-r19-correct-ae-entrainement-split")
CORRECT_GROUPS["blind-r19-correct-b"] = ("blind-r19-correct-debruiteur-torch-normal",
                                         "blind-r19-correct-ae-lineaire-functional",
                                         "blind-r19-correct-anomalie-sum-over-d")

# ------------------------------------------------------------ blind round 21
# A size the hidden checks draw never equals the notebook's or the public check's (k of the
# linear autoencoder, k and h of the dense one, k of reparametrisation and perte_vae); a BCE
# written by hand without a guard, on pixels of x̂ saturated at exactly 0 or 1 and right; PyTorch's
# "all elements of target should be between 0 and 1" said in French (autograder/checks/errors.py).
_ELBO = solution_cell(__file__, "elbo")
_AEC = solution_cell(__file__, "ae_classe")
SCENARIOS.update({
    # The tester's answer 08: full marks at the variants whose hidden k was the notebook's 3.
    "blind-r21-ae-lineaire-k-hardcoded-3": Scenario(
        grade_id="ae_lineaire",
        source=edit(_LIN, ("        self.encodeur = nn.Linear(d, k)\n        self.decodeur = nn.Linear(k, d)\n",
                           "        self.encodeur = nn.Linear(d, 3)\n        self.decodeur = nn.Linear(3, d)\n")),
        must_fail=("test_ae_lineaire_matches_pca",),
        message_contains=("ne suit pas l'argument k",),
    ),
    # The same class in the dense autoencoder: h hard-coded to the public check's 16.
    "blind-r21-ae-classe-h-hardcoded-16": Scenario(
        grade_id="ae_classe",
        source=edit(_AEC, ("        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))\n"
                           "        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d), nn.Sigmoid())\n",
                           "        self.encodeur = nn.Sequential(nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, k))\n"
                           "        self.decodeur = nn.Sequential(nn.Linear(k, 16), nn.ReLU(), nn.Linear(16, d), nn.Sigmoid())\n")),
        must_fail=("test_ae_classe_architecture",),
        message_contains=("pas des tailles fixes",),
    ),
    # The tester's answer 27: 0 · log(0) = nan on a pixel of x̂ exactly 0 or 1.
    "blind-r21-elbo-bce-by-hand-unguarded": Scenario(
        grade_id="elbo",
        source='''def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    """−ELBO moyenne sur le lot : BCE sommée sur les pixels + beta · KL ; tenseur scalaire."""
    bce = -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat)).sum(dim=1)
    return (bce + beta * kl_gaussienne(mu, logvar)).mean()
''',
        must_fail=("test_perte_vae_matches_reference",),
        message_contains=("0 · log(0) donne nan",),
    ),
    # The tester's answer 37: perte_vae(x_hat, lot, …), the training diverges and
    # F.binary_cross_entropy refuses its NaN target.
    "blind-r21-vae-perte-arguments-swapped": Scenario(
        grade_id="vae_beta",
        source=edit(_VAE, (_VAE_LOSS, "            perte = perte_vae(x_hat, lot, mu, logvar, beta=beta)\n")),
        must_fail=("test_beta_reduces_kl",),
        may_fail=("test_entrainer_vae_uses_its_seed", "test_entrainer_vae_batches_cover_the_epoch"),
        message_contains=("la cible de F.binary_cross_entropy",),
    ),
})
GROUPS["blind-r21-a"] = ("blind-r21-ae-lineaire-k-hardcoded-3", "blind-r21-elbo-bce-by-hand-unguarded",
                         "blind-r21-vae-perte-arguments-swapped")
GROUPS["blind-r21-b"] = ("blind-r21-ae-classe-h-hardcoded-16",)

CORRECT.update({
    # The tester's answer 25: a hand-written BCE on a clamped copy of x̂, sums divided by N.
    "blind-r21-correct-elbo-clamped-copy-sum-div-n": Correct(
        grade_id="elbo",
        source='''def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    """−ELBO moyenne sur le lot : BCE sommée sur les pixels + beta · KL ; tenseur scalaire."""
    p = torch.clamp(x_hat, 1e-7, 1 - 1e-7)
    bce = -(x * torch.log(p) + (1 - x) * torch.log(1 - p))
    N = x.shape[0]
    return bce.sum() / N + beta * kl_gaussienne(mu, logvar).sum() / N
''',
        why="BCE by hand on x_hat clamped to [1e-7, 1 - 1e-7] (a new tensor), sums divided by N",
    ),
    # The tester's answer 38 (lead ruling): the statement's inputs are images in [0, 1], where a
    # clamp of X to [0, 1] is the identity.
    "blind-r21-correct-anomalie-clamps-x-to-pixels": Correct(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Erreur de reconstruction moyenne de chaque exemple : tenseur (N,), élevé = anormal."""
    X = torch.as_tensor(X, dtype=torch.float32).clamp(0.0, 1.0)
    with torch.no_grad():
        return ((X - modele(X)) ** 2).mean(dim=1)
''',
        why="X clamped to [0, 1]: the statement's inputs are images in [0, 1], where it is the identity",
    ),
    # A guarded BCE by hand with log(p + 1e-8) (already proven in round 7) written with xlogy:
    # 0 · log(0) = 0 by definition, no guard needed where x̂ = x = 0 or 1.
    "blind-r21-correct-elbo-xlogy": Correct(
        grade_id="elbo",
        source='''def perte_vae(x, x_hat, mu, logvar, beta=1.0):
    """−ELBO moyenne sur le lot : BCE sommée sur les pixels + beta · KL ; tenseur scalaire."""
    bce = -(torch.xlogy(x, x_hat.clamp_min(1e-12)) + torch.xlogy(1 - x, (1 - x_hat).clamp_min(1e-12)))
    return (bce.sum(dim=1) + beta * kl_gaussienne(mu, logvar)).mean()
''',
        why="BCE by hand with torch.xlogy and a clamp_min(1e-12) on each log's argument",
    ),
    # Written for the check touched in round 21: the architecture at the new sizes, built in a
    # loop over the widths.
    "blind-r21-correct-ae-classe-width-loop": Correct(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    """Autoencodeur dense d → h → k → h → d, sortie dans [0, 1]."""

    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        couches_enc, couches_dec = [], []
        for a, b in ((d, h), (h, k)):
            couches_enc += [nn.Linear(a, b), nn.ReLU()]
        for a, b in ((k, h), (h, d)):
            couches_dec += [nn.Linear(a, b), nn.ReLU()]
        self.encodeur = nn.Sequential(*couches_enc[:-1])
        self.decodeur = nn.Sequential(*couches_dec[:-1], nn.Sigmoid())

    def encode(self, x):
        return self.encodeur(x)

    def decode(self, z):
        return self.decodeur(z)

    def forward(self, x):
        return self.decode(self.encode(x))
''',
        why="the layers built in a loop over the widths, the last ReLU dropped",
    ),
})
CORRECT_GROUPS["correct-r21-a"] = ("blind-r21-correct-elbo-clamped-copy-sum-div-n",
                                   "blind-r21-correct-anomalie-clamps-x-to-pixels",
                                   "blind-r21-correct-ae-classe-width-loop")
CORRECT_GROUPS["correct-r21-b"] = ("blind-r21-correct-elbo-xlogy",)
