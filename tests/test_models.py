"""Sparsity modes and architectures do what their documentation says."""

import numpy as np
import pytest
import torch

from sparse_ae import SparseAutoencoder
from sparse_ae._nn import AutoencoderConfig, AutoencoderModule
from sparse_ae._nn._module import _make_activation

FAST = dict(max_iter=5, batch_size=32, random_state=0)


@pytest.mark.parametrize("sparsity", ["kl", "l1", "topk", None])
@pytest.mark.parametrize("hidden", [(), (24,), (32, 16)])
def test_every_mode_and_architecture_gives_the_documented_shapes(
    sparsity, hidden, small_digits
):
    X, _ = small_digits
    sae = SparseAutoencoder(
        n_components=12, hidden_layer_sizes=hidden, sparsity=sparsity, k=4, **FAST
    ).fit(X)
    codes = sae.transform(X)
    assert codes.shape == (len(X), 12)
    assert sae.inverse_transform(codes).shape == X.shape
    assert sae.components_.shape == (12, X.shape[1])
    assert np.isfinite(sae.loss_curve_).all()


@pytest.mark.parametrize("k", [1, 5, 12])
def test_topk_gives_exactly_k_nonzeros_per_sample(k, small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=12, sparsity="topk", k=k, **FAST).fit(X)
    nonzeros = (sae.transform(X) != 0).sum(axis=1)
    assert (nonzeros == k).all()


def test_topk_k_is_capped_at_n_components(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=4, sparsity="topk", k=10, **FAST).fit(X)
    assert ((sae.transform(X) != 0).sum(axis=1) == 4).all()


def test_kl_drives_mean_activations_towards_rho(small_digits):
    X, _ = small_digits
    far = []
    for rho in (0.02, 0.3):
        sae = SparseAutoencoder(
            n_components=16, rho=rho, beta=3.0, max_iter=40, random_state=0
        ).fit(X)
        mean = sae.transform(X).mean(axis=0)
        far.append(np.abs(mean - rho).mean())
        # The average unit sits close to its target
        assert mean.mean() == pytest.approx(rho, abs=0.35 * rho + 0.01)
    assert max(far) < 0.1


def test_kl_weight_beta_zero_leaves_activations_unconstrained(small_digits):
    X, _ = small_digits
    free = SparseAutoencoder(
        n_components=16, rho=0.02, beta=0.0, max_iter=40, random_state=0
    ).fit(X)
    tight = SparseAutoencoder(
        n_components=16, rho=0.02, beta=3.0, max_iter=40, random_state=0
    ).fit(X)
    assert abs(tight.mean_activation_.mean() - 0.02) < abs(
        free.mean_activation_.mean() - 0.02
    )


def test_l1_reduces_activity_as_its_weight_grows(small_digits):
    X, _ = small_digits
    activity = [
        np.abs(
            SparseAutoencoder(
                n_components=16,
                sparsity="l1",
                l1_penalty=w,
                max_iter=20,
                random_state=0,
            ).fit_transform(X)
        )
        .sum(axis=1)
        .mean()
        for w in (0.0, 0.01, 0.1)
    ]
    assert activity[0] > activity[1] > activity[2]


def test_l1_codes_are_non_negative(small_digits):
    X, _ = small_digits
    codes = SparseAutoencoder(n_components=8, sparsity="l1", **FAST).fit_transform(X)
    assert codes.min() >= 0.0


def test_no_sparsity_gives_an_unsquashed_linear_code(small_digits):
    X, _ = small_digits
    codes = SparseAutoencoder(n_components=8, sparsity=None, **FAST).fit_transform(X)
    assert codes.min() < 0.0 < codes.max()
    assert (codes != 0).all()


def test_tied_weights_share_storage_with_the_encoder():
    module = AutoencoderModule(
        AutoencoderConfig(10, 4, hidden_layer_sizes=(6,), tied_weights=True)
    )
    enc_first, enc_code = module.encoder_linears
    dec_from_code, dec_output = module.decoder[0], module.decoder[2]
    assert dec_from_code.weight.data_ptr() == enc_code.weight.data_ptr()
    assert dec_output.weight.data_ptr() == enc_first.weight.data_ptr()
    assert torch.equal(dec_output.weight, enc_first.weight.t())
    n_untied = sum(
        p.numel()
        for p in AutoencoderModule(AutoencoderConfig(10, 4, (6,))).parameters()
    )
    n_tied = sum(p.numel() for p in module.parameters())
    assert n_tied == n_untied - (10 * 6 + 6 * 4)


def test_tied_weights_stay_tied_after_training(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=8, tied_weights=True, **FAST).fit(X)
    module = sae.net_.module_
    np.testing.assert_allclose(
        sae.components_, module.encoder_linears[0].weight.detach().numpy(), atol=1e-5
    )


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "gelu", "tanh", "sigmoid"]
)
def test_hidden_activation_is_used(activation, small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(
        n_components=4, hidden_layer_sizes=(8,), activation=activation, **FAST
    ).fit(X)
    names = {type(m).__name__.lower() for m in sae.net_.module_.encoder.modules()}
    expected = {"leaky_relu": "leakyrelu"}.get(activation, activation)
    assert expected in names


def test_output_bias_starts_at_the_data_mean(small_digits):
    X, _ = small_digits
    module = AutoencoderModule(AutoencoderConfig(64, 8, output_activation="identity"))
    module.reset_parameters(
        torch.Generator().manual_seed(0), output_mean=torch.from_numpy(X.mean(0))
    )
    module.eval()
    with torch.no_grad():
        out = module.decode(torch.zeros(1, 8))
    np.testing.assert_allclose(out[0].numpy(), X.mean(0), atol=1e-6)


def test_dead_fraction_counts_units_never_active(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=32, sparsity="topk", k=2, **FAST).fit(X)
    ever_active = (sae.transform(X) != 0).any(axis=0)
    assert sae.dead_fraction_ == pytest.approx(1.0 - ever_active.mean())


@pytest.fixture(params=[1, 2, 3], ids=lambda n: f"{n}-threads")
def torch_threads(request):
    before = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(before)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gelu"])
def test_eval_activation_does_not_depend_on_a_value_s_position(name, torch_threads):
    # A plain float32 activation finishes each contiguous run with scalar code
    # that can round differently: with torch 2.13 on x86-64, plain sigmoid gave
    # this batch taken whole and in blocks of 7 rows 89 different values (tanh
    # and gelu none, but that is up to the build).
    activation = _make_activation(name).eval()
    h = torch.randn(1000, 784, generator=torch.Generator().manual_seed(0)) * 3
    with torch.inference_mode():
        whole = activation(h)
        blocks = torch.cat([activation(h[i : i + 7]) for i in range(0, len(h), 7)])
        order = torch.randperm(len(h), generator=torch.Generator().manual_seed(1))
        shuffled = activation(h[order])
        plain = activation.activation(h)
    assert torch.equal(blocks, whole)
    assert torch.equal(shuffled, whole[order])
    torch.testing.assert_close(whole, plain, rtol=2e-7, atol=0)


def test_train_mode_activation_is_the_plain_differentiable_one():
    activation = _make_activation("sigmoid").train()
    h = torch.randn(5, 3, requires_grad=True)
    out = activation(h)
    out.sum().backward()
    torch.testing.assert_close(out, torch.sigmoid(h), rtol=0, atol=0)
    torch.testing.assert_close(h.grad, (out * (1 - out)).detach())
