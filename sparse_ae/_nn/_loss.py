"""The sparse autoencoder objective, written once.

.. math::

    L = \\frac{1}{n} \\sum_i \\lVert x_i - \\hat x_i \\rVert^2
        + \\beta \\sum_j \\mathrm{KL}(\\rho \\,\\|\\, \\hat\\rho_j)
        + \\frac{\\alpha}{2} \\sum_l \\lVert W_l \\rVert_F^2

with :math:`\\hat\\rho_j` the mean activation of code unit :math:`j` over the
batch. ``sparsity="l1"`` replaces the KL term by
``l1_penalty * mean_i sum_j |h_ij|``; ``"topk"`` and ``None`` have no sparsity
term (TopK is sparse by construction).
"""

from __future__ import annotations

from typing import NamedTuple

import torch

# rho_hat is clamped this far inside (0, 1) before taking logarithms: small enough
# for every rho the estimator accepts (rho >= 1e-4 is tested), large enough that
# 1 - _EPS is still distinct from 1 in float32 (spacing there is 6e-8).
_EPS = 1e-7


class LossTerms(NamedTuple):
    """The three terms of the objective; ``total`` is their sum."""

    reconstruction: torch.Tensor
    sparsity: torch.Tensor
    penalty: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        return self.reconstruction + self.sparsity + self.penalty


def kl_divergence(rho: float, rho_hat: torch.Tensor) -> torch.Tensor:
    """KL divergence between Bernoulli(``rho``) and Bernoulli(``rho_hat``), per unit.

    ``rho * log(rho / rho_hat) + (1 - rho) * log((1 - rho) / (1 - rho_hat))``,
    finite, with a finite gradient, even where ``rho_hat`` is exactly 0 or 1.
    """
    rho_hat = rho_hat.clamp(_EPS, 1.0 - _EPS)
    # Ratios rather than differences of logarithms, so that rho_hat == rho
    # gives exactly log(1) = 0; rounding elsewhere can leave a tiny negative
    # value where the true divergence is ~0, hence the clamp.
    kl = rho * torch.log(rho / rho_hat) + (1.0 - rho) * torch.log(
        (1.0 - rho) / (1.0 - rho_hat)
    )
    return kl.clamp_min(0.0)


def sparse_autoencoder_loss(
    x: torch.Tensor,
    reconstruction: torch.Tensor,
    code: torch.Tensor,
    weights: list[torch.Tensor],
    *,
    sparsity: str | None = "kl",
    rho: float = 0.05,
    beta: float = 3.0,
    l1_penalty: float = 0.0,
    alpha: float = 0.0,
) -> LossTerms:
    """Evaluate the objective on one batch (see the module docstring).

    ``x`` is the clean target, ``reconstruction`` the network's output for the
    (possibly corrupted) input, ``code`` the code layer's activations,
    ``weights`` the weight matrices that ``alpha`` penalises.
    """
    # Mean over samples of the squared error summed over features.
    reconstruction_error = (reconstruction - x).square().sum(dim=1).mean()
    zero = reconstruction_error.new_zeros(())
    if sparsity == "kl" and beta > 0:
        sparsity_term = beta * kl_divergence(rho, code.mean(dim=0)).sum()
    elif sparsity == "l1" and l1_penalty > 0:
        sparsity_term = l1_penalty * code.abs().sum(dim=1).mean()
    else:
        sparsity_term = zero
    if alpha > 0:
        penalty = 0.5 * alpha * sum(w.square().sum() for w in weights)
    else:
        penalty = zero
    return LossTerms(reconstruction_error, sparsity_term, penalty)


class SparseAutoencoderLoss(torch.nn.Module):
    """:func:`sparse_autoencoder_loss` as a module, holding its hyper-parameters.

    This is the criterion the training net calls; ``forward`` returns the
    :class:`LossTerms` so that each term can be logged separately.
    """

    def __init__(
        self,
        sparsity: str | None = "kl",
        rho: float = 0.05,
        beta: float = 3.0,
        l1_penalty: float = 0.0,
        alpha: float = 0.0,
    ) -> None:
        super().__init__()
        self.sparsity = sparsity
        self.rho = rho
        self.beta = beta
        self.l1_penalty = l1_penalty
        self.alpha = alpha

    def forward(
        self,
        x: torch.Tensor,
        reconstruction: torch.Tensor,
        code: torch.Tensor,
        weights: list[torch.Tensor],
    ) -> LossTerms:
        return sparse_autoencoder_loss(
            x,
            reconstruction,
            code,
            weights,
            sparsity=self.sparsity,
            rho=self.rho,
            beta=self.beta,
            l1_penalty=self.l1_penalty,
            alpha=self.alpha,
        )
