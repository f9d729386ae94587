"""Realistic wrong answers for TP04, as data: each replaces one answer cell of the solution.

`must_fail` names the checks that must lose points (failed, or partial credit);
every other check of the same item must keep its points. `message_contains` are
substrings of the French message of at least one of those checks: the hint that names
the fault. `affects` lists other items that may lose points as a consequence (perte_vae
calls the student's kl_gaussienne; entrainer_vae calls perte_vae).
"""

from __future__ import annotations

from tests.tp_harness import Scenario

_KL_CHAIN = ("elbo", "vae_beta")

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------ dense autoencoder
    "submission-ae-decoder-without-sigmoid": Scenario(
        grade_id="ae_classe",
        source='''class AutoEncodeur(nn.Module):
    """Le décodeur finit par un Linear : des sorties hors de [0, 1]."""

    def __init__(self, d=64, k=2, h=32):
        super().__init__()
        self.encodeur = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))
        self.decodeur = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d))

    def encode(self, x):
        return self.encodeur(x)

    def decode(self, z):
        return self.decodeur(z)

    def forward(self, x):
        return self.decode(self.encode(x))
''',
        must_fail=("test_ae_classe_shapes",),
        message_contains=("Sigmoid",),
    ),
    "submission-ae-no-training": Scenario(
        grade_id="ae_entrainement",
        source='''def entrainer_ae(modele, X, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Calcule la perte et les gradients, mais oublie optimiseur.step()."""
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut : debut + batch_size]]
            perte = F.mse_loss(modele(lot), lot)
            optimiseur.zero_grad()
            perte.backward()
    return modele
''',
        must_fail=("test_entrainer_ae_trains", "test_entrainer_ae_reconstruction"),
        message_contains=("optimiseur.step()", "les paramètres n'ont pas changé"),
    ),
    # ------------------------------------------------------------ linear autoencoder
    "submission-linear-ae-with-relu": Scenario(
        grade_id="ae_lineaire",
        source='''class AutoEncodeurLineaire(nn.Module):
    """Une ReLU s'est glissée entre l'encodeur et le décodeur."""

    def __init__(self, d=64, k=2):
        super().__init__()
        self.encodeur = nn.Linear(d, k)
        self.decodeur = nn.Linear(k, d)

    def forward(self, x):
        return self.decodeur(torch.relu(self.encodeur(x)))
''',
        must_fail=("test_ae_lineaire_is_affine", "test_ae_lineaire_matches_pca"),
        message_contains=("n'est pas linéaire", "ReLU"),
    ),
    # ------------------------------------------------------------ denoising
    "submission-denoiser-trained-on-clean": Scenario(
        grade_id="debruiteur",
        source='''def entrainer_debruiteur(modele, X, sigma=0.5, epochs=15, lr=1e-2, batch_size=64, seed=0):
    """Tire le bruit mais entraîne sur les images propres (x → x)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut : debut + batch_size]]
            bruite = lot + sigma * torch.randn(lot.shape, generator=g)
            perte = F.mse_loss(modele(lot), lot)
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
    return modele
''',
        must_fail=("test_debruiteur_beats_identity",),
        message_contains=("entrée BRUITÉE", "cible PROPRE"),
    ),
    # ------------------------------------------------------------ anomaly detection
    "submission-anomaly-score-inverted": Scenario(
        grade_id="anomalie",
        source='''def score_anomalie(modele, X):
    """Un score de « normalité » : l'opposé de l'erreur de reconstruction."""
    X = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        return -((X - modele(X)) ** 2).mean(dim=1)
''',
        must_fail=("test_score_anomalie_fixed_models", "test_score_anomalie_auroc"),
        message_contains=("votre score est inversé",),
    ),
    # ------------------------------------------------------------ transposed convolution
    "submission-convtranspose-formula-missing-output-padding": Scenario(
        grade_id="convtranspose_taille",
        source='''def taille_sortie_convtranspose(w_in, k, s=1, p=0, output_padding=0):
    """Oublie output_padding."""
    return (w_in - 1) * s - 2 * p + k
''',
        must_fail=(
            "test_taille_sortie_convtranspose_examples",
            "test_taille_sortie_convtranspose_random",
        ),
        message_contains=("vous oubliez output_padding",),
    ),
    "submission-convae-missing-output-padding": Scenario(
        grade_id="ae_conv",
        source='''class AutoEncodeurConv(nn.Module):
    """Décodeur sans output_padding : 2 → 3 → 5 au lieu de 2 → 4 → 8."""

    def __init__(self):
        super().__init__()
        self.encodeur = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.decodeur = nn.Sequential(
            nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1), nn.Sigmoid(),
        )

    def encode(self, x):
        return self.encodeur(x)

    def forward(self, x):
        return self.decodeur(self.encode(x))
''',
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
        affects=("vae_beta",),
    ),
    "submission-reparam-std-is-exp-logvar": Scenario(
        grade_id="reparametrisation",
        source='''def reparametrisation(mu, logvar, eps=None):
    """σ = exp(logvar) : c'est σ², pas σ."""
    if eps is None:
        eps = torch.randn_like(mu)
    return mu + torch.exp(logvar) * eps
''',
        must_fail=(
            "test_reparametrisation_fixed_eps",
            "test_reparametrisation_values",
            "test_reparametrisation_gradients",
        ),
        message_contains=("vous utilisez exp(logvar)",),
        affects=("vae_beta",),
    ),
    # ------------------------------------------------------------ VAE: KL
    "submission-kl-sign-error": Scenario(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """Oublie le signe moins devant ½."""
    return 0.5 * torch.sum(1 + logvar - mu**2 - torch.exp(logvar), dim=1)
''',
        must_fail=("test_kl_simple_cases", "test_kl_closed_form", "test_kl_matches_monte_carlo"),
        message_contains=("le signe est inversé",),
        affects=_KL_CHAIN,
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
        affects=_KL_CHAIN,
    ),
    "submission-kl-missing-sum-over-latent": Scenario(
        grade_id="kl",
        source='''def kl_gaussienne(mu, logvar):
    """KL de chaque dimension latente, sans la somme : forme (N, k)."""
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar))
''',
        must_fail=("test_kl_simple_cases", "test_kl_closed_form", "test_kl_matches_monte_carlo"),
        message_contains=("il manque la somme sur les k dimensions latentes",),
        affects=_KL_CHAIN,
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
        affects=("vae_beta",),
    ),
    # ------------------------------------------------------------ VAE: effect of β
    "submission-vae-beta-ignored": Scenario(
        grade_id="vae_beta",
        source='''def entrainer_vae(X, beta=1.0, k=2, epochs=10, lr=1e-2, batch_size=64, seed=0):
    """Oublie de passer beta à perte_vae : β vaut toujours 1."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    modele = VAE(X.shape[1], k)
    optimiseur = torch.optim.Adam(modele.parameters(), lr=lr)
    for _ in range(epochs):
        ordre = torch.randperm(len(X), generator=g)
        for debut in range(0, len(X), batch_size):
            lot = X[ordre[debut : debut + batch_size]]
            x_hat, mu, logvar = modele(lot)
            perte = perte_vae(lot, x_hat, mu, logvar)
            optimiseur.zero_grad()
            perte.backward()
            optimiseur.step()
    return modele
''',
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
