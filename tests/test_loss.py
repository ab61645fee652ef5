"""The KL sparsity term and the objective, against their closed forms."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sparse_ae._nn import kl_divergence, sparse_autoencoder_loss

rhos = st.floats(min_value=1e-4, max_value=0.99)
activations = st.floats(min_value=0.0, max_value=1.0)


def _closed_form(rho, rho_hat):
    return rho * math.log(rho / rho_hat) + (1 - rho) * math.log(
        (1 - rho) / (1 - rho_hat)
    )


@given(rho=rhos, rho_hat=st.floats(min_value=1e-3, max_value=0.999))
def test_kl_equals_closed_form(rho, rho_hat):
    got = kl_divergence(rho, torch.tensor([rho_hat], dtype=torch.float64)).item()
    assert got == pytest.approx(_closed_form(rho, rho_hat), rel=1e-9, abs=1e-12)


@given(rho=rhos)
def test_kl_is_exactly_zero_when_mean_activation_equals_rho(rho):
    assert kl_divergence(rho, torch.tensor([rho], dtype=torch.float64)).item() == 0.0


@given(rho=rhos, rho_hat=activations)
def test_kl_is_non_negative_and_zero_only_at_rho(rho, rho_hat):
    kl = kl_divergence(rho, torch.tensor([rho_hat], dtype=torch.float64)).item()
    assert kl >= 0.0
    if abs(rho_hat - rho) > 1e-6:
        assert kl > 0.0


@settings(max_examples=200)
@given(
    rho=rhos, rho_hat=activations, dtype=st.sampled_from([torch.float32, torch.float64])
)
def test_kl_and_its_gradient_are_finite_at_any_activation(rho, rho_hat, dtype):
    x = torch.tensor([rho_hat], dtype=dtype, requires_grad=True)
    kl = kl_divergence(rho, x).sum()
    kl.backward()
    assert torch.isfinite(kl)
    assert torch.isfinite(x.grad).all()


@pytest.mark.parametrize("extreme", [0.0, 1.0])
@pytest.mark.parametrize("rho", [1e-4, 0.05, 0.5, 0.99])
def test_loss_gradient_finite_with_saturated_codes_and_large_beta(extreme, rho):
    code = torch.full((4, 3), extreme, requires_grad=True)
    x = torch.rand(4, 5)
    terms = sparse_autoencoder_loss(
        x, torch.rand(4, 5), code, [], sparsity="kl", rho=rho, beta=1e6
    )
    terms.total.backward()
    assert torch.isfinite(terms.total)
    assert torch.isfinite(code.grad).all()


def test_reconstruction_term_is_mean_over_samples_of_summed_squared_error():
    x = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    reconstruction = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    terms = sparse_autoencoder_loss(x, reconstruction, x, [], sparsity=None)
    assert terms.reconstruction.item() == pytest.approx((2.0 + 1.0) / 2)
    assert terms.sparsity.item() == 0.0


def test_sparsity_term_is_beta_times_kl_summed_over_units():
    code = torch.tensor([[0.1, 0.9], [0.3, 0.5]], dtype=torch.float64)
    terms = sparse_autoencoder_loss(code, code, code, [], rho=0.05, beta=3.0)
    expected = 3.0 * (_closed_form(0.05, 0.2) + _closed_form(0.05, 0.7))
    assert terms.sparsity.item() == pytest.approx(expected)


def test_l1_term_is_weight_times_mean_absolute_activity_summed_over_units():
    code = torch.tensor([[1.0, -2.0], [0.0, 3.0]])
    terms = sparse_autoencoder_loss(code, code, code, [], sparsity="l1", l1_penalty=0.5)
    assert terms.sparsity.item() == pytest.approx(0.5 * (3.0 + 3.0) / 2)


def test_weight_penalty_is_half_alpha_times_squared_frobenius_norms():
    weights = [torch.ones(2, 3), 2 * torch.ones(1, 2)]
    x = torch.zeros(1, 2)
    terms = sparse_autoencoder_loss(x, x, x, weights, sparsity=None, alpha=0.1)
    assert terms.penalty.item() == pytest.approx(0.5 * 0.1 * (6.0 + 8.0))
    assert terms.total.item() == pytest.approx(terms.penalty.item())


def test_loss_terms_do_not_depend_on_batch_order():
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.random((8, 4)))
    code = torch.tensor(rng.random((8, 3)))
    perm = torch.tensor(rng.permutation(8))
    a = sparse_autoencoder_loss(x, x * 0.9, code, [])
    b = sparse_autoencoder_loss(x[perm], x[perm] * 0.9, code[perm], [])
    assert a.total.item() == pytest.approx(b.total.item())
