"""Streaming training with ``SparseAutoencoder.partial_fit``."""

import numpy as np
import pytest
import torch
from sklearn.utils.estimator_checks import check_estimators_partial_fit_n_features

from sparse_ae import SparseAutoencoder

N_CHUNKS = 4


def _estimator(**params):
    # Small and quick to learn, so that a few passes show a clear trend.
    defaults = dict(
        n_components=16,
        sparsity=None,
        learning_rate=1e-2,
        batch_size=32,
        random_state=0,
    )
    return SparseAutoencoder(**{**defaults, **params})


@pytest.fixture
def memmap(tmp_path, digits):
    """The digits written chunk by chunk to a file, read back as an np.memmap."""
    X, _ = digits
    path = tmp_path / "digits.f32"
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    for rows in np.array_split(np.arange(len(X)), N_CHUNKS):
        out[rows] = X[rows]
    out.flush()
    del out
    return np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)


def _chunks(X):
    return [X[rows] for rows in np.array_split(np.arange(len(X)), N_CHUNKS)]


def _stream(estimator, X, n_passes):
    for _ in range(n_passes):
        for chunk in _chunks(X):
            estimator.partial_fit(chunk)
    return estimator


def test_partial_fit_loss_decreases_over_passes_on_memmap(memmap):
    sae = _stream(_estimator(), memmap, n_passes=3)
    per_pass = np.reshape(sae.loss_curve_, (3, N_CHUNKS)).mean(axis=1)
    assert per_pass[1] < per_pass[0]
    assert per_pass[2] < per_pass[1]


def test_partial_fit_over_chunks_is_comparable_to_fit(memmap, digits):
    X, _ = digits
    streamed = _stream(_estimator(), memmap, n_passes=5)
    fitted = _estimator(max_iter=5, lr_schedule="constant").fit(X)
    assert streamed.score(X) > 0.5
    assert streamed.score(X) == pytest.approx(fitted.score(X), abs=0.1)


def test_partial_fit_counts_one_epoch_per_call(small_digits):
    X, _ = small_digits
    sae = _estimator()
    for calls in range(1, 4):
        sae.partial_fit(X)
        assert sae.n_iter_ == calls
        assert len(sae.loss_curve_) == calls
        assert len(sae.reconstruction_curve_) == calls
        assert sae.net_.history[-1, "train_batch_count"] == -(-len(X) // 32)


def test_partial_fit_twice_on_one_chunk_is_deterministic(small_digits):
    X, _ = small_digits
    first = _estimator().partial_fit(X).partial_fit(X)
    second = _estimator().partial_fit(X).partial_fit(X)
    np.testing.assert_array_equal(first.components_, second.components_)
    assert first.loss_curve_ == second.loss_curve_


def test_partial_fit_keeps_optimizer_state_across_calls(small_digits):
    X, _ = small_digits
    sae = _estimator().partial_fit(X)
    steps_after_one = _adam_steps(sae)
    sae.partial_fit(X)
    assert _adam_steps(sae) == 2 * steps_after_one


def _adam_steps(sae):
    state = sae.net_.optimizer_.state
    return int(next(iter(state.values()))["step"])


def test_partial_fit_decides_output_activation_from_first_chunk(small_digits):
    X, _ = small_digits
    sae = _estimator().partial_fit(X)
    assert sae.net_.module_.config.output_activation == "sigmoid"
    sae.partial_fit(X * 4.0 - 2.0)
    assert sae.net_.module_.config.output_activation == "sigmoid"


def test_first_partial_fit_trains_like_one_epoch_of_fit(small_digits):
    X, _ = small_digits
    # Same data-dependent initialisation (output bias at the chunk's mean, code
    # bias at logit(rho)) and the same steps as fit's first epoch.
    streamed = _estimator(sparsity="kl", max_iter=1).partial_fit(X)
    fitted = _estimator(sparsity="kl", max_iter=1).fit(X)
    np.testing.assert_array_equal(streamed.components_, fitted.components_)


def test_partial_fit_rejects_a_different_number_of_features(small_digits):
    X, _ = small_digits
    sae = _estimator().partial_fit(X)
    with pytest.raises(ValueError, match="features"):
        sae.partial_fit(X[:, :10])


def test_partial_fit_uses_a_constant_learning_rate(small_digits):
    X, _ = small_digits
    sae = _estimator(lr_schedule="cosine", max_iter=2)
    for _ in range(3):
        sae.partial_fit(X)
    assert sae.net_.optimizer_.param_groups[0]["lr"] == sae.learning_rate


def test_partial_fit_after_fit_continues_the_fitted_model(small_digits):
    X, _ = small_digits
    sae = _estimator(max_iter=3).fit(X)
    loss_at_end_of_fit = sae.loss_curve_[-1]
    sae.partial_fit(X)
    assert sae.n_iter_ == 4
    # Continued, not restarted: the first epoch of a fresh model is far worse.
    assert sae.loss_curve_[-1] < loss_at_end_of_fit * 1.1
    assert sae.loss_curve_[-1] < sae.loss_curve_[0]


@pytest.mark.filterwarnings("ignore:X has values up to")
def test_failed_partial_fit_leaves_the_estimator_as_it_was(small_digits):
    X, _ = small_digits
    sae = _estimator().partial_fit(X)
    weights = {k: v.clone() for k, v in sae.net_.module_.state_dict().items()}
    adam_steps = _adam_steps(sae)
    curve = list(sae.loss_curve_)
    # Finite inputs whose squares overflow float32: the loss becomes infinite.
    huge = np.full_like(X, 1e30)
    with pytest.raises(FloatingPointError):
        sae.partial_fit(huge)
    assert sae.loss_curve_ == curve
    assert _adam_steps(sae) == adam_steps
    for name, value in sae.net_.module_.state_dict().items():
        torch.testing.assert_close(value, weights[name], rtol=0, atol=0)


def test_fit_after_partial_fit_starts_afresh(small_digits):
    X, _ = small_digits
    sae = _estimator(max_iter=2).partial_fit(X).partial_fit(X)
    sae.fit(X)
    assert sae.n_iter_ == 2
    fresh = _estimator(max_iter=2).fit(X)
    np.testing.assert_array_equal(sae.components_, fresh.components_)


def test_partial_fit_passes_sklearns_changing_n_features_check():
    # scikit-learn runs this check for classifiers, regressors and clusterers
    # only; parametrize_with_checks exercises partial_fit through others.
    check_estimators_partial_fit_n_features("SparseAutoencoder", _estimator())
