"""TP10's code shared by its hidden checks (never released)."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class RefCNN(nn.Module):
    """The grader's float64 copy of the kernel model."""

    def __init__(self, canaux, k1, k2, cache, classes, hauteur, largeur):
        super().__init__()
        self.conv1 = nn.Conv2d(canaux, k1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(k1, k2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(k2 * (hauteur // 2) * (largeur // 2), cache)
        self.fc2 = nn.Linear(cache, classes)

    def caracteristiques(self, x):
        return torch.relu(self.conv2(F.max_pool2d(torch.relu(self.conv1(x)), 2)))

    def tete(self, A):
        return self.fc2(torch.relu(self.fc1(A.flatten(1))))

    def forward(self, x):
        return self.tete(self.caracteristiques(x))

    def margin(self, X: torch.Tensor) -> float:
        """Smallest distance of a pre-activation, or of a max-pooling winner, to a kink."""
        z1 = self.conv1(X)
        a1 = torch.relu(z1)
        windows = a1.unfold(2, 2, 2).unfold(3, 2, 2).reshape(*a1.shape[:2], -1, 4)
        top = windows.topk(2, dim=-1).values
        gaps = (top[..., 0] - top[..., 1])[top[..., 0] > 0]
        z2 = self.conv2(F.max_pool2d(a1, 2))
        z3 = self.fc1(torch.relu(z2).flatten(1))
        parts = [z1.abs().min(), z2.abs().min(), z3.abs().min()]
        if gaps.numel():
            parts.append(gaps.min())
        return float(min(parts))
