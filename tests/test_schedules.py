"""Training schedules: the step size (warm-up, cosine) and TopK's annealed k."""

import math

import numpy as np
import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from sparse_ae import SparseAutoencoder
from sparse_ae._nn._module import TopK

LR = 1e-2


@pytest.fixture
def step_sizes():
    """The step size of every optimizer step taken while the test runs."""
    seen = []

    def record(optimizer, args, kwargs):
        seen.append(optimizer.param_groups[0]["lr"])

    handle = register_optimizer_step_pre_hook(record)
    yield seen
    handle.remove()


def _estimator(**params):
    defaults = dict(
        n_components=8, learning_rate=LR, batch_size=32, max_iter=4, random_state=0
    )
    return SparseAutoencoder(**{**defaults, **params})


def test_fit_warms_up_over_the_first_epoch_then_follows_the_cosine(
    small_digits, step_sizes
):
    X, _ = small_digits  # 300 rows: 10 batches of 32 per epoch
    _estimator(tol=0).fit(X)
    steps = np.array(step_sizes).reshape(4, 10)
    np.testing.assert_allclose(steps[0], LR * np.arange(1, 11) / 10)
    for epoch in (1, 2, 3):
        expected = LR * 0.5 * (1 + math.cos(math.pi * epoch / 4))
        np.testing.assert_allclose(steps[epoch], expected)


def test_constant_schedule_keeps_the_step_after_the_warm_up(small_digits, step_sizes):
    X, _ = small_digits
    _estimator(lr_schedule="constant", tol=0).fit(X)
    steps = np.array(step_sizes).reshape(4, 10)
    np.testing.assert_allclose(steps[0], LR * np.arange(1, 11) / 10)
    np.testing.assert_allclose(steps[1:], LR)


def test_warm_up_counts_the_training_batches_only(small_digits, step_sizes):
    X, _ = small_digits
    # 10 % held out: 270 training rows, 9 batches.
    _estimator(early_stopping=True, validation_fraction=0.1, max_iter=1).fit(X)
    np.testing.assert_allclose(step_sizes, LR * np.arange(1, 10) / 9)


def test_partial_fit_warms_up_on_the_first_chunk_only(small_digits, step_sizes):
    X, _ = small_digits
    sae = _estimator()
    sae.partial_fit(X[:160])  # 5 batches
    sae.partial_fit(X[160:])  # 5 more, at the full step
    np.testing.assert_allclose(step_sizes[:5], LR * np.arange(1, 6) / 5)
    np.testing.assert_allclose(step_sizes[5:], LR)
    assert len(step_sizes) == 10


def test_warm_up_keeps_a_deep_kl_model_off_the_mean(digits):
    # Adam's full-size first steps can switch off most of a rectifier layer,
    # after which the network predicts little more than the mean image. On
    # this problem: 0.33 of the mean image's error with the warm-up, 0.79
    # without (measured with a one-batch warm-up).
    X, _ = digits
    sae = SparseAutoencoder(
        n_components=64,
        hidden_layer_sizes=(512, 256),
        learning_rate=1e-2,
        max_iter=5,
        random_state=0,
    ).fit(X)
    mean_error = ((X - X.mean(axis=0)) ** 2).sum(axis=1).mean()
    error = ((sae.inverse_transform(sae.transform(X)) - X) ** 2).sum(axis=1).mean()
    assert error < 0.5 * mean_error


def test_topk_k_is_annealed_from_all_units_over_the_first_quarter(
    small_digits, monkeypatch
):
    X, _ = small_digits
    seen = []
    forward = TopK.forward

    def recording_forward(self, h):
        if torch.is_grad_enabled():  # training batches only
            seen.append(self.k)
        return forward(self, h)

    monkeypatch.setattr(TopK, "forward", recording_forward)
    sae = _estimator(n_components=20, sparsity="topk", k=4, max_iter=8, tol=0)
    sae.fit(X)
    per_epoch = np.array(seen).reshape(8, 10)
    assert (per_epoch == per_epoch[:, :1]).all()
    # 2 annealing epochs: 20 -> 4 linearly, then k.
    assert per_epoch[:, 0].tolist() == [20, 12, 4, 4, 4, 4, 4, 4]
    assert sae.net_.module_.encoder[-1].k == 4
    np.testing.assert_array_equal((sae.transform(X) != 0).sum(axis=1), 4)
