"""The Display objects of sparse_ae.plotting, drawn with the Agg backend."""

import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sparse_ae import SparseAutoencoder, add_noise  # noqa: E402
from sparse_ae.plotting import (  # noqa: E402
    ComponentsDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
    SparsityDisplay,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sae(small_digits):
    X, _ = small_digits
    return SparseAutoencoder(n_components=16, max_iter=2, random_state=0).fit(X)


@pytest.fixture(scope="module")
def sae_with_validation(small_digits):
    X, _ = small_digits
    return SparseAutoencoder(
        n_components=16, max_iter=2, early_stopping=True, random_state=0
    ).fit(X)


@pytest.fixture(scope="module")
def pca(small_digits):
    X, _ = small_digits
    return PCA(n_components=10).fit(X)


# -- ComponentsDisplay ---------------------------------------------------------


def test_components_display_draws_one_image_per_component(sae):
    display = ComponentsDisplay.from_estimator(sae)
    assert len(display.images_) == sae.n_components
    assert display.axes_.shape == (4, 4)


def test_components_display_draws_the_rows_of_components_as_images(pca):
    display = ComponentsDisplay.from_estimator(pca)
    first = display.images_[0].get_array()
    np.testing.assert_allclose(first, pca.components_[0].reshape(8, 8))


def test_components_display_max_components_limits_the_tiles(sae):
    display = ComponentsDisplay.from_estimator(sae, max_components=5)
    assert len(display.images_) == 5
    hidden = [ax for ax in display.axes_.flat if not ax.images]
    assert len(hidden) == display.axes_.size - 5


def test_components_display_draws_inside_a_given_ax(pca):
    fig, ax = plt.subplots()
    display = ComponentsDisplay.from_estimator(pca, ax=ax)
    assert display.figure_ is fig
    assert display.bounding_ax_ is ax
    assert len(display.images_) == pca.n_components_


def test_components_display_uses_a_given_array_of_axes(pca):
    fig, axes = plt.subplots(2, 5)
    display = ComponentsDisplay.from_estimator(pca, n_cols=5, ax=axes)
    assert display.bounding_ax_ is None
    assert [ax.images[0] for ax in axes.flat] == list(display.images_)


def test_components_display_rejects_the_wrong_number_of_axes(pca):
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="at least 10 Axes"):
        ComponentsDisplay.from_estimator(pca, ax=axes)


def test_components_display_rejects_image_shape_not_matching_n_features(pca):
    with pytest.raises(ValueError, match=r"image_shape=\(4, 4\).*64 features"):
        ComponentsDisplay.from_estimator(pca, image_shape=(4, 4))


def test_components_display_needs_image_shape_for_non_square_images():
    display = ComponentsDisplay(np.ones((3, 10)))
    with pytest.raises(ValueError, match="10 features, which is not a perfect"):
        display.plot()


def test_components_display_draws_non_square_images_of_given_shape():
    display = ComponentsDisplay(np.ones((3, 10)), image_shape=(2, 5)).plot()
    assert display.images_[0].get_array().shape == (2, 5)


def test_components_display_rejects_estimator_without_components(small_digits):
    scaler = StandardScaler().fit(small_digits[0])
    with pytest.raises(TypeError, match="components_"):
        ComponentsDisplay.from_estimator(scaler)


def test_components_display_rejects_unfitted_estimator():
    with pytest.raises(NotFittedError):
        ComponentsDisplay.from_estimator(PCA(n_components=4))


# -- ReconstructionDisplay -----------------------------------------------------


def test_reconstruction_display_has_original_row_and_one_row_per_model(
    small_digits, sae, pca
):
    X, _ = small_digits
    display = ReconstructionDisplay.from_estimators(
        X, {"SAE": sae, "PCA": pca}, n_images=6
    )
    assert display.images_.shape == (3, 6)
    labels = [ax.get_ylabel() for ax in display.axes_[:, 0]]
    assert labels == ["original", "SAE", "PCA"]


def test_reconstruction_display_adds_a_noisy_row_when_given(small_digits, sae, pca):
    X, _ = small_digits
    X_noisy = add_noise(X, "masking", 0.3, random_state=0)
    display = ReconstructionDisplay.from_estimators(
        X, {"SAE": sae, "PCA": pca}, X_noisy=X_noisy, n_images=4
    )
    labels = [ax.get_ylabel() for ax in display.axes_[:, 0]]
    assert labels == ["original", "noisy", "SAE", "PCA"]


def test_reconstruction_display_reconstructs_the_noisy_images(small_digits, pca):
    X, _ = small_digits
    X_noisy = add_noise(X, "gaussian", 0.3, random_state=0)
    display = ReconstructionDisplay.from_estimators(
        X, {"PCA": pca}, X_noisy=X_noisy, n_images=3
    )
    expected = pca.inverse_transform(pca.transform(X_noisy[:3]))
    drawn = np.stack([image.get_array().ravel() for image in display.images_[2]])
    np.testing.assert_allclose(drawn, expected, rtol=1e-6)


def test_reconstruction_display_shows_at_most_the_images_available(small_digits, pca):
    X, _ = small_digits
    display = ReconstructionDisplay.from_estimators(X[:3], {"PCA": pca}, n_images=8)
    assert display.images_.shape == (2, 3)


def test_reconstruction_display_draws_inside_a_given_ax(small_digits, pca):
    X, _ = small_digits
    fig, ax = plt.subplots()
    display = ReconstructionDisplay.from_estimators(X, {"PCA": pca}, ax=ax)
    assert display.figure_ is fig
    assert display.bounding_ax_ is ax


def test_reconstruction_display_rejects_empty_estimators(small_digits):
    with pytest.raises(TypeError, match="non-empty mapping"):
        ReconstructionDisplay.from_estimators(small_digits[0], {})


def test_reconstruction_display_rejects_image_shape_not_matching_n_features(
    small_digits, pca
):
    with pytest.raises(ValueError, match="expected height \\* width == 64"):
        ReconstructionDisplay.from_estimators(
            small_digits[0], {"PCA": pca}, image_shape=(8, 7)
        )


def test_reconstruction_display_rejects_reconstructions_of_another_shape():
    display = ReconstructionDisplay(np.ones((2, 4)), {"bad": np.ones((2, 9))})
    with pytest.raises(ValueError, match="Row 'bad' has shape"):
        display.plot()


# -- SparsityDisplay -----------------------------------------------------------


def test_sparsity_display_draws_both_histograms_by_default(small_digits, sae):
    display = SparsityDisplay.from_estimator(sae, small_digits[0])
    assert display.axes_.shape == (1, 2)
    assert len(display.bars_) == 2


def test_sparsity_display_draws_one_histogram_of_the_kind_asked(small_digits, sae):
    display = SparsityDisplay.from_estimator(sae, small_digits[0], kind="per_unit")
    assert display.axes_.shape == (1, 1)
    assert display.axes_[0, 0].get_xlabel() == "mean activation"


def test_sparsity_display_counts_every_sample_once(small_digits, sae):
    X, _ = small_digits
    display = SparsityDisplay.from_estimator(sae, X, kind="per_sample")
    heights = [patch.get_height() for patch in display.bars_[0]]
    assert sum(heights) == len(X)


def test_sparsity_display_uses_threshold_half_for_kl_sigmoid_codes(small_digits, sae):
    display = SparsityDisplay.from_estimator(sae, small_digits[0])
    assert display.threshold == 0.5


def test_sparsity_display_uses_threshold_zero_for_other_codes(small_digits, pca):
    display = SparsityDisplay.from_estimator(pca, small_digits[0])
    assert display.threshold == 0.0


def test_sparsity_display_from_codes_summarises_activity():
    codes = np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    display = SparsityDisplay.from_codes(codes)
    np.testing.assert_allclose(display.active_per_sample, [0.25, 0.5])
    assert display.dead_fraction == 0.5


def test_sparsity_display_draws_inside_given_axes(small_digits, sae):
    fig, axes = plt.subplots(1, 2)
    display = SparsityDisplay.from_estimator(sae, small_digits[0], ax=axes)
    assert display.figure_ is fig
    assert list(display.axes_.flat) == list(axes)


def test_sparsity_display_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        SparsityDisplay.from_codes(np.ones((2, 2)), kind="per_pixel")


# -- LossCurveDisplay ----------------------------------------------------------


def test_loss_curve_display_draws_the_loss_and_its_terms(sae):
    display = LossCurveDisplay.from_estimator(sae)
    assert list(display.lines_) == [
        "training loss",
        "reconstruction term",
        "sparsity term",
    ]


def test_loss_curve_display_adds_the_validation_loss_when_recorded(
    sae_with_validation,
):
    display = LossCurveDisplay.from_estimator(sae_with_validation)
    assert "validation loss" in display.lines_
    assert len(display.lines_) == 4


def test_loss_curve_display_plots_one_point_per_epoch(sae):
    display = LossCurveDisplay.from_estimator(sae)
    x, y = display.lines_["training loss"].get_data()
    np.testing.assert_array_equal(x, np.arange(1, sae.n_iter_ + 1))
    np.testing.assert_allclose(y, sae.loss_curve_)


def test_loss_curve_display_draws_on_a_given_ax(sae):
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(sae, ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is fig
    assert len(ax.get_lines()) == 3


def test_loss_curve_display_works_for_scikit_learn_mlp(small_digits):
    X, _ = small_digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
        mlp.fit(X, X)
    display = LossCurveDisplay.from_estimator(mlp)
    assert list(display.lines_) == ["training loss"]


def test_loss_curve_display_rejects_estimator_without_loss_curve(pca):
    with pytest.raises(TypeError, match="loss_curve_"):
        LossCurveDisplay.from_estimator(pca)


def test_loss_curve_display_rejects_an_unknown_yscale(sae):
    with pytest.raises(ValueError, match="yscale must be"):
        LossCurveDisplay.from_estimator(sae, yscale="symlog")


# -- without matplotlib --------------------------------------------------------


def test_plotting_without_matplotlib_says_how_to_install_it(monkeypatch):
    # A None entry in sys.modules makes the import fail as if not installed.
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install sparse-ae\[plot\]"):
        LossCurveDisplay({"training loss": [1.0, 0.5]}).plot()
