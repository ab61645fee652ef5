"""Reconstruction and sparsity metrics, for this estimator and any other.

Every function here takes plain arrays, so a :class:`~sklearn.decomposition.PCA`
and a :class:`~sparse_ae.SparseAutoencoder` are measured by the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length

__all__ = [
    "psnr",
    "reconstruction_error",
    "reconstruction_mse",
    "sparsity_stats",
    "variance_explained",
    "variance_explained_scorer",
]


def _pair(X, X_rec) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, dtype=np.float64, input_name="X")
    X_rec = check_array(X_rec, dtype=np.float64, input_name="X_rec")
    check_consistent_length(X, X_rec)
    if X.shape != X_rec.shape:
        raise ValueError(
            f"X and X_rec must have the same shape, got {X.shape} and {X_rec.shape}."
        )
    return X, X_rec


def variance_explained(X, X_rec) -> float:
    """Fraction of the variance of ``X`` that the reconstruction ``X_rec`` explains.

    ``1 - sum((X - X_rec)**2) / sum((X - X.mean(axis=0))**2)``: 1 is a perfect
    reconstruction, 0 is no better than predicting the mean of each feature,
    and it can be negative. For PCA with all components it is 1.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The original data.
    X_rec : array-like of shape (n_samples, n_features)
        Its reconstruction.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_ae.metrics import variance_explained
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> variance_explained(X, X)
    1.0
    >>> variance_explained(X, np.tile(X.mean(axis=0), (2, 1)))
    0.0
    """
    X, X_rec = _pair(X, X_rec)
    total = np.sum((X - X.mean(axis=0)) ** 2)
    residual = np.sum((X - X_rec) ** 2)
    if total == 0:
        return 1.0 if residual == 0 else -np.inf
    return float(1.0 - residual / total)


def variance_explained_scorer(estimator: Any, X, y=None) -> float:
    """Scorer: :func:`variance_explained` of ``estimator``'s reconstruction of ``X``.

    Works for any fitted transformer with ``transform`` and ``inverse_transform``
    (``PCA``, ``SparseAutoencoder``, a ``Pipeline`` ending in one), so that
    different models are compared by one number in one search:
    ``GridSearchCV(..., scoring=variance_explained_scorer)``. ``y`` is ignored.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from sparse_ae.metrics import variance_explained_scorer
    >>> X = load_digits().data
    >>> pca = PCA(n_components=64).fit(X)
    >>> round(variance_explained_scorer(pca, X), 6)
    1.0
    """
    X_rec = estimator.inverse_transform(estimator.transform(X))
    return variance_explained(X, X_rec)


def reconstruction_error(X, X_rec) -> float:
    """Mean over samples of the squared error summed over features.

    This is the reconstruction term of the training loss, e.g. the "mean
    per-image squared error" of image benchmarks.

    Examples
    --------
    >>> from sparse_ae.metrics import reconstruction_error
    >>> reconstruction_error([[0.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]])
    0.5
    """
    X, X_rec = _pair(X, X_rec)
    return float(np.mean(np.sum((X - X_rec) ** 2, axis=1)))


def reconstruction_mse(X, X_rec) -> float:
    """Mean squared error over all entries (samples and features).

    Examples
    --------
    >>> from sparse_ae.metrics import reconstruction_mse
    >>> reconstruction_mse([[0.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]])
    0.25
    """
    X, X_rec = _pair(X, X_rec)
    return float(np.mean((X - X_rec) ** 2))


def psnr(X, X_rec, *, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB: ``10 * log10(data_range**2 / mse)``.

    The mean squared error is taken over the whole set (all images and pixels),
    so the figure is that of the set, not a mean of per-image figures.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Clean reference images.
    X_rec : array-like of shape (n_samples, n_features)
        Noisy or restored images.
    data_range : float, default=1.0
        Peak-to-peak range of the pixel values (1.0 for images in [0, 1]).

    Returns
    -------
    psnr : float
        ``inf`` when the two are identical.

    Examples
    --------
    >>> from sparse_ae.metrics import psnr
    >>> round(psnr([[0.0, 1.0]], [[0.1, 0.9]]), 2)
    20.0
    """
    mse = reconstruction_mse(X, X_rec)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(data_range**2 / mse))


def sparsity_stats(codes, *, threshold: float = 0.0) -> dict[str, Any]:
    """Summarise how sparse a set of codes is.

    A unit is *active* on a sample when its absolute code value exceeds
    ``threshold`` (0: non-zero; for sigmoid codes use 0.5).

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_components)
    threshold : float, default=0.0

    Returns
    -------
    stats : dict
        ``active_fraction`` (mean over samples of the fraction of active units),
        ``active_per_sample`` (array: fraction of units active on each sample),
        ``mean_activation`` (array: mean code value of each unit),
        ``dead_fraction`` (fraction of units active on no sample) and
        ``dead_units`` (boolean mask of those units).

    Examples
    --------
    >>> from sparse_ae.metrics import sparsity_stats
    >>> stats = sparsity_stats([[0.0, 2.0, 0.0], [1.0, 3.0, 0.0]])
    >>> float(stats["active_fraction"]), float(stats["dead_fraction"])
    (0.5, 0.3333333333333333)
    """
    codes = check_array(codes, dtype=np.float64, input_name="codes")
    active = np.abs(codes) > threshold
    per_sample = active.mean(axis=1)
    dead = ~active.any(axis=0)
    return {
        "active_fraction": float(per_sample.mean()),
        "active_per_sample": per_sample,
        "mean_activation": codes.mean(axis=0),
        "dead_fraction": float(dead.mean()),
        "dead_units": dead,
    }
