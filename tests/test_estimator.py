"""Behaviour of SparseAutoencoder as a scikit-learn transformer."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.decomposition import PCA

import sparse_ae._estimator
from sparse_ae import SparseAutoencoder
from sparse_ae.metrics import variance_explained, variance_explained_scorer

FAST = dict(max_iter=5, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def fitted(small_digits):
    X, _ = small_digits
    return SparseAutoencoder(n_components=16, **FAST).fit(X)


def test_fit_returns_self(small_digits):
    sae = SparseAutoencoder(n_components=4, **FAST)
    assert sae.fit(small_digits[0]) is sae


def test_transform_and_inverse_transform_shapes_and_dtype(fitted, small_digits):
    X, _ = small_digits
    codes = fitted.transform(X)
    assert codes.shape == (len(X), 16)
    assert codes.dtype == np.float32
    X_rec = fitted.inverse_transform(codes)
    assert X_rec.shape == X.shape
    assert X_rec.dtype == np.float32


def test_code_layer_may_be_wider_than_the_input(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=200, **FAST).fit(X)
    assert sae.transform(X).shape == (len(X), 200)
    assert sae.components_.shape == (200, X.shape[1])


def test_kl_codes_lie_in_unit_interval(fitted, small_digits):
    codes = fitted.transform(small_digits[0])
    assert codes.min() >= 0.0 and codes.max() <= 1.0


def test_fit_transform_equals_fit_then_transform(small_digits):
    X, _ = small_digits
    a = SparseAutoencoder(n_components=8, **FAST).fit_transform(X)
    b = SparseAutoencoder(n_components=8, **FAST).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)


def test_same_random_state_gives_identical_results(small_digits):
    X, _ = small_digits
    a = SparseAutoencoder(n_components=8, noise="gaussian", **FAST).fit(X)
    b = SparseAutoencoder(n_components=8, noise="gaussian", **FAST).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.loss_curve_ == b.loss_curve_


def test_different_random_states_give_different_results(small_digits):
    X, _ = small_digits
    a = SparseAutoencoder(n_components=8, max_iter=2, random_state=0).fit(X)
    b = SparseAutoencoder(n_components=8, max_iter=2, random_state=1).fit(X)
    assert not np.array_equal(a.transform(X), b.transform(X))


def test_float64_and_float32_inputs_give_the_same_codes(fitted, small_digits):
    X, _ = small_digits
    np.testing.assert_array_equal(
        fitted.transform(X.astype(np.float64)), fitted.transform(X)
    )


def test_clone_refits_to_identical_transform(fitted, small_digits):
    X, _ = small_digits
    refit = clone(fitted).fit(X)
    np.testing.assert_array_equal(refit.transform(X), fitted.transform(X))


def test_pickle_round_trip_gives_identical_transforms(fitted, small_digits):
    X, _ = small_digits
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    codes = fitted.transform(X)
    np.testing.assert_array_equal(
        restored.inverse_transform(codes), fitted.inverse_transform(codes)
    )


def test_score_is_fraction_of_variance_explained(fitted, small_digits):
    X, _ = small_digits
    X_rec = fitted.inverse_transform(fitted.transform(X)).astype(np.float64)
    X = X.astype(np.float64)
    expected = 1 - np.sum((X - X_rec) ** 2) / np.sum((X - X.mean(axis=0)) ** 2)
    assert fitted.score(X) == pytest.approx(expected, rel=1e-5)
    assert fitted.score(X) == variance_explained_scorer(fitted, X)


def test_scorer_gives_pca_with_all_components_a_perfect_score(small_digits):
    X, _ = small_digits
    pca = PCA(n_components=X.shape[1]).fit(X)
    assert variance_explained_scorer(pca, X) == pytest.approx(1.0)


def test_longer_training_explains_more_variance(small_digits):
    X, _ = small_digits
    # A light KL weight: on 64 features in [0, 1] the default beta=3 outweighs
    # the reconstruction error, and this test is about training, not sparsity.
    params = dict(n_components=16, beta=0.3, random_state=0)
    short = SparseAutoencoder(max_iter=1, **params).fit(X)
    long = SparseAutoencoder(max_iter=30, **params).fit(X)
    assert long.score(X) > short.score(X) + 0.05


def test_loss_curve_records_total_and_terms_per_epoch(fitted):
    assert fitted.n_iter_ == 5
    assert len(fitted.loss_curve_) == 5
    assert len(fitted.reconstruction_curve_) == 5
    assert len(fitted.sparsity_curve_) == 5
    # total = reconstruction + sparsity + weight penalty (alpha > 0)
    for total, rec, sp in zip(
        fitted.loss_curve_,
        fitted.reconstruction_curve_,
        fitted.sparsity_curve_,
        strict=True,
    ):
        assert total > rec + sp
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]
    assert fitted.validation_loss_curve_ is None


def test_mean_activation_is_mean_code_on_training_data(fitted, small_digits):
    codes = fitted.transform(small_digits[0])
    np.testing.assert_allclose(fitted.mean_activation_, codes.mean(axis=0), rtol=1e-5)
    assert 0.0 <= fitted.dead_fraction_ <= 1.0


@pytest.mark.parametrize("sparsity", ["kl", "topk"])
def test_activity_attributes_do_not_depend_on_the_inference_blocks(
    sparsity, small_digits, monkeypatch
):
    # mean_activation_ and dead_fraction_ are reduced block by block; with
    # blocks of 7 rows (64 features) the training set spans 43 of them.
    X, _ = small_digits
    params = dict(n_components=16, sparsity=sparsity, k=3, **FAST)
    whole = SparseAutoencoder(**params).fit(X)
    monkeypatch.setattr(sparse_ae._estimator, "_CPU_INFERENCE_VALUES", 7 * 64)
    blocks = SparseAutoencoder(**params).fit(X)
    assert len(blocks._chunks(len(X))) == 43
    np.testing.assert_allclose(
        blocks.mean_activation_, whole.mean_activation_, rtol=1e-6
    )
    codes = whole.transform(X)
    np.testing.assert_allclose(whole.mean_activation_, codes.mean(axis=0), rtol=1e-5)
    active = (np.abs(codes) > whole._activity_threshold).any(axis=0)
    assert blocks.dead_fraction_ == whole.dead_fraction_ == 1.0 - active.mean()


def test_components_are_decoder_weights_without_hidden_layers(fitted):
    decoder_weight = fitted.net_.module_.decoder[0].weight.detach().numpy()
    np.testing.assert_allclose(fitted.components_, decoder_weight.T, atol=1e-6)
    assert fitted.components_.shape == (16, 64)


def test_components_shape_with_hidden_layers(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=6, hidden_layer_sizes=(20, 10), **FAST)
    assert sae.fit(X).components_.shape == (6, 64)


def test_output_is_sigmoid_for_unit_range_data_and_linear_otherwise(small_digits):
    X, _ = small_digits
    scaled = SparseAutoencoder(n_components=4, **FAST).fit(X)
    assert isinstance(scaled.net_.module_.decoder[-1].activation, torch.nn.Sigmoid)
    standardised = SparseAutoencoder(n_components=4, **FAST).fit(
        (X - X.mean(0)) / (X.std(0) + 1e-3)
    )
    assert isinstance(standardised.net_.module_.decoder[-1], torch.nn.Identity)


def test_early_stopping_holds_out_data_and_records_validation_loss(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(
        n_components=8, early_stopping=True, max_iter=6, random_state=0
    ).fit(X)
    assert len(sae.validation_loss_curve_) == sae.n_iter_
    assert all(np.isfinite(sae.validation_loss_curve_))


def test_training_stops_once_loss_stops_improving(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(
        n_components=4, max_iter=200, tol=0.5, n_iter_no_change=2, random_state=0
    ).fit(X)
    assert sae.n_iter_ < 200


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_and_pepper"])
def test_denoising_training_runs_for_each_noise_kind(noise, small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=8, noise=noise, noise_level=0.2, **FAST)
    assert np.isfinite(sae.fit(X).loss_curve_).all()


def test_noise_changes_training(small_digits):
    X, _ = small_digits
    clean = SparseAutoencoder(n_components=8, **FAST).fit(X)
    noisy = SparseAutoencoder(n_components=8, noise="gaussian", **FAST).fit(X)
    assert clean.loss_curve_ != noisy.loss_curve_


def test_auto_noise_masks_a_quarter_of_the_inputs_of_an_overcomplete_code(
    small_digits,
):
    X, _ = small_digits  # 64 features
    auto = SparseAutoencoder(n_components=100, **FAST).fit(X)
    assert (auto.noise_, auto.noise_level_) == ("masking", 0.25)
    explicit = SparseAutoencoder(
        n_components=100, noise="masking", noise_level=0.25, **FAST
    ).fit(X)
    assert auto.loss_curve_ == explicit.loss_curve_
    clean = SparseAutoencoder(n_components=100, noise=None, **FAST).fit(X)
    assert clean.noise_ is None
    assert clean.loss_curve_ != auto.loss_curve_


def test_auto_noise_leaves_an_undercomplete_code_clean(small_digits):
    X, _ = small_digits
    auto = SparseAutoencoder(n_components=64, **FAST).fit(X)
    clean = SparseAutoencoder(n_components=64, noise=None, **FAST).fit(X)
    assert (auto.noise_, auto.noise_level_) == (None, 0.0)
    assert auto.loss_curve_ == clean.loss_curve_


@pytest.mark.parametrize(
    "noise, level", [("gaussian", 0.1), ("masking", 0.25), ("salt_and_pepper", 0.25)]
)
def test_auto_noise_level_depends_on_the_noise_kind(noise, level, small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=8, noise=noise, **FAST).fit(X)
    assert (sae.noise_, sae.noise_level_) == (noise, level)


def test_zero_noise_level_means_no_noise(small_digits):
    X, _ = small_digits
    sae = SparseAutoencoder(n_components=8, noise="gaussian", noise_level=0, **FAST)
    clean = SparseAutoencoder(n_components=8, noise=None, **FAST).fit(X)
    assert sae.fit(X).noise_ is None
    assert sae.loss_curve_ == clean.loss_curve_


def test_verbose_shows_progress_with_loss_terms(small_digits, capsys):
    X, _ = small_digits
    SparseAutoencoder(n_components=4, max_iter=2, verbose=1, random_state=0).fit(X)
    err = capsys.readouterr().err
    assert "2/2" in err
    assert "train_reconstruction" in err and "train_sparsity" in err


def test_set_output_pandas_gives_named_columns(fitted, small_digits):
    pd = pytest.importorskip("pandas")
    X, _ = small_digits
    sae = clone(fitted).set_output(transform="pandas").fit(X)
    out = sae.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"sparseautoencoder{i}" for i in range(16)]


def test_dataframe_input_records_feature_names(small_digits):
    pd = pytest.importorskip("pandas")
    X, _ = small_digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    sae = SparseAutoencoder(n_components=4, **FAST).fit(df)
    assert list(sae.feature_names_in_) == list(df.columns)
    np.testing.assert_array_equal(sae.transform(df), sae.transform(X))


def test_get_feature_names_out(fitted):
    names = fitted.get_feature_names_out()
    assert list(names[:2]) == ["sparseautoencoder0", "sparseautoencoder1"]
    assert len(names) == 16


def test_variance_explained_of_mean_prediction_is_zero():
    X = np.random.default_rng(0).random((10, 3))
    assert variance_explained(X, np.tile(X.mean(0), (10, 1))) == pytest.approx(0.0)


def test_data_too_large_for_the_gpu_stay_on_the_host(monkeypatch):
    # The placement decision alone: no CUDA device is needed for data that
    # stay on the host, so this runs everywhere.
    X = np.zeros((100, 10), dtype=np.float32)  # 4,000 bytes
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (7_999, 10**9))
    data = sparse_ae._estimator._training_tensor(X, torch.device("cuda"))
    assert data.device.type == "cpu"
    assert data.data_ptr() == X.ctypes.data  # X's own buffer, not a copy


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a machine with CUDA")
def test_data_that_fit_on_the_gpu_move_there_once():
    X = np.zeros((100, 10), dtype=np.float32)
    data = sparse_ae._estimator._training_tensor(X, torch.device("cuda"))
    assert data.device.type == "cuda"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a machine with CUDA")
def test_fit_on_cuda_with_the_data_on_the_host(small_digits, monkeypatch):
    X, _ = small_digits
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (0, 10**9))
    sae = SparseAutoencoder(n_components=8, device="cuda", noise="masking", **FAST)
    codes = sae.fit(X).transform(X)
    assert codes.shape == (len(X), 8)
    assert np.isfinite(sae.loss_curve_).all()
