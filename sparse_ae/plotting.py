"""Plots of what an autoencoder (or PCA) learned, as scikit-learn-style Displays.

Each display follows scikit-learn's visualisation API: a constructor that takes
the values to draw, a ``from_estimator`` (or ``from_estimators``,
``from_codes``) class method that computes them from fitted models and draws
them, and ``plot(ax=None, ...)`` that draws and returns the display with its
matplotlib artists stored in trailing-underscore attributes (``figure_``,
``ax_`` or ``axes_``, ...).

Matplotlib is an optional dependency (``pip install sparse-ae[plot]``); it is
imported only when something is drawn.

Displays that draw a grid of panels (:class:`ComponentsDisplay`,
:class:`ReconstructionDisplay`, :class:`SparsityDisplay`) accept for ``ax``
either ``None`` (a new figure), one Axes, which is then hidden and used as the
bounding box of the grid (as in scikit-learn's ``PartialDependenceDisplay``),
or an array of exactly as many Axes as panels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

from .metrics import sparsity_stats

__all__ = [
    "ComponentsDisplay",
    "LossCurveDisplay",
    "ReconstructionDisplay",
    "SparsityDisplay",
]


def _import_pyplot():
    """``matplotlib.pyplot``, or an ImportError saying how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting requires matplotlib, an optional dependency of sparse-ae; "
            "install it with: pip install sparse-ae[plot]"
        ) from exc
    return plt


def _check_image_shape(image_shape, n_features: int) -> tuple[int, int]:
    """Validate ``image_shape`` against ``n_features``; infer it when None."""
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"image_shape=None works only for square images, but there are "
                f"{n_features} features, which is not a perfect square; pass "
                f"image_shape=(height, width) with height * width == {n_features}."
            )
        return side, side
    try:
        height, width = (int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"image_shape must be a pair of ints (height, width), got {image_shape!r}."
        ) from None
    if height < 1 or width < 1 or height * width != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)!r} holds {height * width} pixels, but "
            f"there are {n_features} features; expected height * width == "
            f"{n_features}."
        )
    return height, width


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}.")
    return int(value)


def _axes_grid(
    ax,
    n_rows: int,
    n_cols: int,
    figsize: tuple[float, float],
    *,
    n_panels: int | None = None,
):
    """Return ``(figure, axes, bounding_ax)`` for a grid of panels.

    ``axes`` has shape ``(n_rows, n_cols)``. ``ax=None`` makes a new figure;
    one Axes is hidden and its area divided into the grid. An array of Axes is
    used as given: it must hold exactly ``n_rows * n_cols`` of them, or, when
    ``n_panels`` is given, at least ``n_panels`` in any 2-D arrangement.
    """
    plt = _import_pyplot()
    from matplotlib.axes import Axes

    if ax is None:
        fig, axes = plt.subplots(
            n_rows, n_cols, figsize=figsize, squeeze=False, layout="constrained"
        )
        return fig, axes, None
    if isinstance(ax, Axes):
        subplotspec = ax.get_subplotspec()
        if subplotspec is None:
            raise ValueError(
                "ax must be an Axes made by add_subplot or subplots (one with a "
                "grid position, so that the panels can be laid out inside it), "
                "got an Axes placed with add_axes."
            )
        fig = ax.figure
        ax.set_axis_off()
        grid = subplotspec.subgridspec(n_rows, n_cols)
        axes = np.empty((n_rows, n_cols), dtype=object)
        for i in range(n_rows):
            for j in range(n_cols):
                axes[i, j] = fig.add_subplot(grid[i, j])
        return fig, axes, ax
    axes = np.asarray(ax, dtype=object)
    if n_panels is None:
        fits = axes.size == n_rows * n_cols
        expected = f"{n_rows * n_cols} Axes ({n_rows} x {n_cols} panels)"
    else:
        fits = axes.size >= n_panels and axes.ndim <= 2
        expected = f"a 1-D or 2-D array of at least {n_panels} Axes"
    if not fits or not all(isinstance(a, Axes) for a in axes.flat):
        raise ValueError(
            f"ax must be None, one matplotlib Axes or {expected}, got an array of "
            f"shape {axes.shape}."
        )
    axes = axes.reshape(n_rows, n_cols) if n_panels is None else np.atleast_2d(axes)
    return axes.flat[0].figure, axes, None


def _estimator_name(estimator: Any) -> str:
    return type(estimator).__name__


# -- learned features ----------------------------------------------------------


class ComponentsDisplay:
    """Learned features drawn as images: one tile per row of ``components_``.

    Works for any fitted estimator with a ``components_`` matrix of shape
    ``(n_components, n_features)``, e.g. :class:`~sparse_ae.SparseAutoencoder`
    (decoder features) and :class:`~sklearn.decomposition.PCA` (principal
    axes). Each tile has its own symmetric colour scale, so that zero is the
    middle colour and the sign of each pixel's weight shows.

    Parameters
    ----------
    components : array-like of shape (n_components, n_features)
        The features to draw.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` of one image; ``None`` means square images, which
        needs ``n_features`` to be a perfect square.
    estimator_name : str or None, default=None
        Shown in the figure's title.

    Attributes
    ----------
    images_ : ndarray of matplotlib AxesImage
        One per drawn component, in the order of ``components``.
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_cols)
        The grid of panels; panels beyond the last component are hidden.
    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax``, inside which the grid was drawn.
    figure_ : matplotlib Figure

    See Also
    --------
    ReconstructionDisplay : Inputs next to their reconstructions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from sparse_ae.plotting import ComponentsDisplay
    >>> pca = PCA(n_components=16).fit(load_digits().data)
    >>> display = ComponentsDisplay.from_estimator(pca)
    >>> len(display.images_)
    16
    """

    def __init__(
        self,
        components,
        *,
        image_shape: tuple[int, int] | None = None,
        estimator_name: str | None = None,
    ) -> None:
        self.components = components
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        *,
        image_shape: tuple[int, int] | None = None,
        max_components: int = 64,
        n_cols: int | None = None,
        cmap: str = "gray",
        ax=None,
    ) -> ComponentsDisplay:
        """Draw the ``components_`` of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator with ``components_``
        image_shape : tuple of (int, int) or None, default=None
            See the class parameters.
        max_components : int, default=64
            Draw at most this many components (the first ones).
        n_cols : int or None, default=None
            Tiles per row; ``None`` makes a near-square grid.
        cmap : str, default="gray"
            Matplotlib colormap.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : ComponentsDisplay
        """
        check_is_fitted(estimator)
        components = getattr(estimator, "components_", None)
        if components is None:
            raise TypeError(
                f"estimator must have a components_ attribute (like PCA or "
                f"SparseAutoencoder), got {_estimator_name(estimator)}."
            )
        display = cls(
            components,
            image_shape=image_shape,
            estimator_name=_estimator_name(estimator),
        )
        return display.plot(
            max_components=max_components, n_cols=n_cols, cmap=cmap, ax=ax
        )

    def plot(
        self,
        *,
        max_components: int = 64,
        n_cols: int | None = None,
        cmap: str = "gray",
        ax=None,
    ) -> ComponentsDisplay:
        """Draw the components.

        Parameters
        ----------
        max_components : int, default=64
            Draw at most this many components (the first ones).
        n_cols : int or None, default=None
            Tiles per row; ``None`` makes a near-square grid.
        cmap : str, default="gray"
            Matplotlib colormap.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : ComponentsDisplay
            ``self``, with the artists stored.
        """
        components = check_array(self.components, input_name="components")
        shape = _check_image_shape(self.image_shape, components.shape[1])
        n = min(_check_positive_int(max_components, "max_components"), len(components))
        if n_cols is None:
            n_cols = math.ceil(math.sqrt(n))
        n_cols = min(_check_positive_int(n_cols, "n_cols"), n)
        n_rows = math.ceil(n / n_cols)

        fig, axes, bounding_ax = _axes_grid(
            ax, n_rows, n_cols, figsize=(1.1 * n_cols, 1.1 * n_rows + 0.4), n_panels=n
        )
        images = []
        for index, panel in enumerate(axes.flat):
            panel.set_axis_off()
            if index >= n:
                continue
            tile = components[index].reshape(shape)
            # Symmetric limits: zero weight is the middle colour in every tile.
            limit = float(np.abs(tile).max()) or 1.0
            images.append(panel.imshow(tile, cmap=cmap, vmin=-limit, vmax=limit))
        title = f"{self.estimator_name} components" if self.estimator_name else None
        if title:
            fig.suptitle(f"{title} (first {n} of {len(components)})")

        self.images_ = np.array(images, dtype=object)
        self.axes_ = axes
        self.bounding_ax_ = bounding_ax
        self.figure_ = fig
        return self


# -- reconstructions -----------------------------------------------------------


class ReconstructionDisplay:
    """Rows of images: originals, optionally their noisy versions, reconstructions.

    One column per sample. The first row is the original images, the second
    (when given) their noisy versions, then one row per named reconstruction.
    Every row is drawn on the colour scale of the originals, so differences in
    brightness show.

    Parameters
    ----------
    X : array-like of shape (n_images, n_features)
        The original images.
    reconstructions : mapping of str to array-like of shape (n_images, n_features)
        Row label -> reconstructed images, in row order.
    X_noisy : array-like of shape (n_images, n_features) or None, default=None
        The noisy images the models were given, drawn as the second row.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` of one image; ``None`` means square images.

    Attributes
    ----------
    images_ : ndarray of matplotlib AxesImage of shape (n_rows, n_images)
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_images)
    bounding_ax_ : matplotlib Axes or None
    figure_ : matplotlib Figure

    See Also
    --------
    ComponentsDisplay : The features the reconstructions are built from.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.decomposition import PCA
    >>> from sparse_ae.datasets import load_digits
    >>> from sparse_ae.plotting import ReconstructionDisplay
    >>> X, _ = load_digits()
    >>> pca = PCA(n_components=8).fit(X)
    >>> display = ReconstructionDisplay.from_estimators(X, {"PCA": pca}, n_images=5)
    >>> display.images_.shape
    (2, 5)
    """

    def __init__(
        self,
        X,
        reconstructions: Mapping[str, Any],
        *,
        X_noisy=None,
        image_shape: tuple[int, int] | None = None,
    ) -> None:
        self.X = X
        self.reconstructions = reconstructions
        self.X_noisy = X_noisy
        self.image_shape = image_shape

    @classmethod
    def from_estimators(
        cls,
        X,
        estimators: Mapping[str, Any],
        *,
        X_noisy=None,
        n_images: int = 8,
        image_shape: tuple[int, int] | None = None,
        cmap: str = "gray",
        ax=None,
    ) -> ReconstructionDisplay:
        """Reconstruct the first ``n_images`` of ``X`` with each fitted estimator.

        Each estimator reconstructs ``X_noisy`` when given (showing how well it
        denoises), else ``X``, as ``inverse_transform(transform(.))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Clean images.
        estimators : mapping of str to fitted transformer
            Row label -> estimator with ``transform`` and ``inverse_transform``
            (e.g. ``{"SAE": sae, "PCA": pca}``).
        X_noisy : array-like of shape (n_samples, n_features) or None, default=None
            Noisy versions of ``X``, row for row.
        n_images : int, default=8
            Number of samples (columns) drawn.
        image_shape : tuple of (int, int) or None, default=None
            See the class parameters.
        cmap : str, default="gray"
            Matplotlib colormap.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : ReconstructionDisplay
        """
        n_images = _check_positive_int(n_images, "n_images")
        if not isinstance(estimators, Mapping) or not estimators:
            raise TypeError(
                "estimators must be a non-empty mapping of row label to fitted "
                f"estimator, e.g. {{'SAE': sae, 'PCA': pca}}; got {estimators!r}."
            )
        X = check_array(X, input_name="X")[:n_images]
        if X_noisy is not None:
            X_noisy = check_array(X_noisy, input_name="X_noisy")[:n_images]
        inputs = X if X_noisy is None else X_noisy
        reconstructions = {
            name: estimator.inverse_transform(estimator.transform(inputs))
            for name, estimator in estimators.items()
        }
        display = cls(X, reconstructions, X_noisy=X_noisy, image_shape=image_shape)
        return display.plot(n_images=n_images, cmap=cmap, ax=ax)

    def plot(
        self, *, n_images: int | None = None, cmap: str = "gray", ax=None
    ) -> ReconstructionDisplay:
        """Draw the rows of images.

        Parameters
        ----------
        n_images : int or None, default=None
            Number of samples (columns) drawn; ``None`` draws all of ``X``.
        cmap : str, default="gray"
            Matplotlib colormap.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : ReconstructionDisplay
            ``self``, with the artists stored.
        """
        X = check_array(self.X, input_name="X")
        rows = {"original": X}
        if self.X_noisy is not None:
            rows["noisy"] = check_array(self.X_noisy, input_name="X_noisy")
        for name, images in self.reconstructions.items():
            rows[str(name)] = check_array(
                images, input_name=f"reconstructions[{name!r}]"
            )
        for name, images in rows.items():
            if images.shape[1] != X.shape[1] or len(images) < len(X):
                raise ValueError(
                    f"Row {name!r} has shape {images.shape}; expected at least "
                    f"{len(X)} images of {X.shape[1]} features, like X."
                )
        shape = _check_image_shape(self.image_shape, X.shape[1])
        n = (
            len(X)
            if n_images is None
            else min(_check_positive_int(n_images, "n_images"), len(X))
        )

        fig, axes, bounding_ax = _axes_grid(
            ax, len(rows), n, figsize=(1.1 * n + 1.2, 1.1 * len(rows))
        )
        vmin, vmax = float(X[:n].min()), float(X[:n].max())
        images = np.empty((len(rows), n), dtype=object)
        for i, (name, row) in enumerate(rows.items()):
            for j in range(n):
                panel = axes[i, j]
                images[i, j] = panel.imshow(
                    row[j].reshape(shape), cmap=cmap, vmin=vmin, vmax=vmax
                )
                panel.set_xticks([])
                panel.set_yticks([])
            axes[i, 0].set_ylabel(name, rotation=0, ha="right", va="center")

        self.images_ = images
        self.axes_ = axes
        self.bounding_ax_ = bounding_ax
        self.figure_ = fig
        return self


# -- sparsity ------------------------------------------------------------------

_SPARSITY_KINDS = ("per_sample", "per_unit", "both")


class SparsityDisplay:
    """Histograms of how sparse a code is.

    ``"per_sample"``: the fraction of units active on each sample (a sparse
    code is concentrated near 0). ``"per_unit"``: the mean activation of each
    unit over the samples. A unit is *active* on a sample when its absolute
    value exceeds ``threshold`` (see :func:`sparse_ae.metrics.sparsity_stats`).

    Parameters
    ----------
    active_per_sample : array-like of shape (n_samples,)
        Fraction of units active on each sample.
    mean_activation : array-like of shape (n_components,)
        Mean code value of each unit.
    threshold : float, default=0.0
        The activity threshold used, shown in the labels.
    dead_fraction : float or None, default=None
        Fraction of units active on no sample, shown in the title.
    estimator_name : str or None, default=None
        Shown in the title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (1, n_panels)
    bars_ : list of matplotlib BarContainer
        One histogram per panel.
    bounding_ax_ : matplotlib Axes or None
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sparse_ae.plotting import SparsityDisplay
    >>> codes = np.random.default_rng(0).exponential(size=(100, 16)) > 2
    >>> display = SparsityDisplay.from_codes(codes.astype(float))
    >>> display.axes_.shape
    (1, 2)
    """

    def __init__(
        self,
        active_per_sample,
        mean_activation,
        *,
        threshold: float = 0.0,
        dead_fraction: float | None = None,
        estimator_name: str | None = None,
    ) -> None:
        self.active_per_sample = active_per_sample
        self.mean_activation = mean_activation
        self.threshold = threshold
        self.dead_fraction = dead_fraction
        self.estimator_name = estimator_name

    @classmethod
    def from_codes(
        cls,
        codes,
        *,
        threshold: float = 0.0,
        estimator_name: str | None = None,
        kind: str = "both",
        bins: int = 30,
        ax=None,
    ) -> SparsityDisplay:
        """Summarise and draw a matrix of codes.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
        threshold : float, default=0.0
            Absolute value above which a unit counts as active.
        estimator_name : str or None, default=None
            Shown in the title.
        kind : {"both", "per_sample", "per_unit"}, default="both"
            Which histogram(s) to draw.
        bins : int, default=30
            Number of histogram bins.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : SparsityDisplay
        """
        stats = sparsity_stats(codes, threshold=threshold)
        display = cls(
            stats["active_per_sample"],
            stats["mean_activation"],
            threshold=threshold,
            dead_fraction=stats["dead_fraction"],
            estimator_name=estimator_name,
        )
        return display.plot(kind=kind, bins=bins, ax=ax)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X,
        *,
        threshold: float | None = None,
        kind: str = "both",
        bins: int = 30,
        ax=None,
    ) -> SparsityDisplay:
        """Encode ``X`` with a fitted transformer and draw how sparse the codes are.

        Parameters
        ----------
        estimator : fitted transformer
            E.g. a :class:`~sparse_ae.SparseAutoencoder` or a PCA.
        X : array-like of shape (n_samples, n_features)
        threshold : float or None, default=None
            Activity threshold; ``None`` uses 0.5 for the sigmoid codes of a
            ``SparseAutoencoder(sparsity="kl")`` (as its ``dead_fraction_``
            does) and 0 otherwise.
        kind : {"both", "per_sample", "per_unit"}, default="both"
            Which histogram(s) to draw.
        bins : int, default=30
            Number of histogram bins.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : SparsityDisplay
        """
        if threshold is None:
            threshold = _activity_threshold(estimator)
        return cls.from_codes(
            estimator.transform(X),
            threshold=threshold,
            estimator_name=_estimator_name(estimator),
            kind=kind,
            bins=bins,
            ax=ax,
        )

    def plot(self, *, kind: str = "both", bins: int = 30, ax=None) -> SparsityDisplay:
        """Draw the histogram(s).

        Parameters
        ----------
        kind : {"both", "per_sample", "per_unit"}, default="both"
            Which histogram(s) to draw, side by side for ``"both"``.
        bins : int, default=30
            Number of histogram bins.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw (see the module docstring).

        Returns
        -------
        display : SparsityDisplay
            ``self``, with the artists stored.
        """
        if kind not in _SPARSITY_KINDS:
            raise ValueError(f"kind must be one of {_SPARSITY_KINDS}, got {kind!r}.")
        bins = _check_positive_int(bins, "bins")
        kinds = ("per_sample", "per_unit") if kind == "both" else (kind,)
        fig, axes, bounding_ax = _axes_grid(
            ax, 1, len(kinds), figsize=(4.5 * len(kinds), 3.4)
        )
        active = f"|code| > {self.threshold:g}"
        bars = []
        for panel, which in zip(axes.flat, kinds, strict=True):
            if which == "per_sample":
                values = np.asarray(self.active_per_sample, dtype=float)
                _, _, container = panel.hist(values, bins=bins, range=(0.0, 1.0))
                panel.axvline(values.mean(), color="k", linestyle="--", linewidth=1)
                panel.set_xlabel(f"fraction of units active ({active})")
                panel.set_ylabel("samples")
                panel.set_title(f"per sample: mean {values.mean():.3f}")
            else:
                values = np.asarray(self.mean_activation, dtype=float)
                _, _, container = panel.hist(values, bins=bins)
                panel.set_xlabel("mean activation")
                panel.set_ylabel("units")
                title = "per unit"
                if self.dead_fraction is not None:
                    title += f": {self.dead_fraction:.1%} never active (dead)"
                panel.set_title(title)
            bars.append(container)
        if self.estimator_name:
            fig.suptitle(f"{self.estimator_name} code sparsity")

        self.bars_ = bars
        self.axes_ = axes
        self.bounding_ax_ = bounding_ax
        self.figure_ = fig
        return self


def _activity_threshold(estimator: Any) -> float:
    """The threshold above which a code unit of ``estimator`` counts as active.

    0.5 for the sigmoid codes of a ``SparseAutoencoder`` with ``sparsity="kl"``
    (the convention of its ``dead_fraction_``), 0 for every other code.
    """
    return getattr(estimator, "_activity_threshold", 0.0)


# -- training curves -----------------------------------------------------------

# Fitted attribute -> legend label, in drawing order.
_CURVES = {
    "loss_curve_": "training loss",
    "reconstruction_curve_": "reconstruction term",
    "sparsity_curve_": "sparsity term",
    "validation_loss_curve_": "validation loss",
}


class LossCurveDisplay:
    """The training loss per epoch, with its terms and the validation loss.

    Parameters
    ----------
    curves : mapping of str to sequence of float
        Legend label -> value at each epoch.
    estimator_name : str or None, default=None
        Shown in the title.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        One line per curve, keyed by its label.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sparse_ae.plotting import LossCurveDisplay
    >>> display = LossCurveDisplay({"training loss": [3.0, 2.0, 1.5]}).plot()
    >>> list(display.lines_)
    ['training loss']
    """

    def __init__(
        self,
        curves: Mapping[str, Sequence[float]],
        *,
        estimator_name: str | None = None,
    ) -> None:
        self.curves = curves
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls, estimator: Any, *, yscale: str = "linear", ax=None
    ) -> LossCurveDisplay:
        """Draw the curves a fitted estimator recorded.

        Uses ``loss_curve_`` and, when present and not None,
        ``reconstruction_curve_``, ``sparsity_curve_`` and
        ``validation_loss_curve_`` (so scikit-learn's ``MLPRegressor`` works
        too).

        Parameters
        ----------
        estimator : fitted estimator with ``loss_curve_``
        yscale : {"linear", "log"}, default="linear"
            Scale of the loss axis.
        ax : matplotlib Axes or None, default=None
            Where to draw; ``None`` makes a new figure.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_is_fitted(estimator)
        if getattr(estimator, "loss_curve_", None) is None:
            raise TypeError(
                "estimator must have a loss_curve_ attribute (like "
                f"SparseAutoencoder or MLPRegressor), got {_estimator_name(estimator)}."
            )
        curves = {
            label: list(getattr(estimator, attribute))
            for attribute, label in _CURVES.items()
            if getattr(estimator, attribute, None) is not None
        }
        display = cls(curves, estimator_name=_estimator_name(estimator))
        return display.plot(yscale=yscale, ax=ax)

    def plot(self, *, yscale: str = "linear", ax=None) -> LossCurveDisplay:
        """Draw one line per curve against the epoch number (from 1).

        Parameters
        ----------
        yscale : {"linear", "log"}, default="linear"
            Scale of the loss axis.
        ax : matplotlib Axes or None, default=None
            Where to draw; ``None`` makes a new figure.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with the artists stored.
        """
        if yscale not in ("linear", "log"):
            raise ValueError(f"yscale must be 'linear' or 'log', got {yscale!r}.")
        if not self.curves:
            raise ValueError("curves is empty; expected at least one curve to draw.")
        plt = _import_pyplot()
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
        else:
            fig = ax.figure
        lines = {}
        for label, values in self.curves.items():
            values = np.asarray(values, dtype=float)
            epochs = np.arange(1, len(values) + 1)
            (lines[label],) = ax.plot(epochs, values, label=label)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_yscale(yscale)
        ax.legend()
        if self.estimator_name:
            ax.set_title(f"{self.estimator_name} training")

        self.lines_ = lines
        self.ax_ = ax
        self.figure_ = fig
        return self
