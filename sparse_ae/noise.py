"""Corrupt data the way a denoising autoencoder is trained."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._nn import corrupt
from ._nn._noise import NOISE_KINDS

__all__ = ["add_noise"]


def seed_from(random_state) -> int:
    """Draw a 63-bit seed for a ``torch.Generator`` from a scikit-learn random_state."""
    return int(check_random_state(random_state).randint(0, 2**63 - 1, dtype=np.int64))


def add_noise(
    X,
    noise: str = "gaussian",
    noise_level: float = 0.1,
    *,
    random_state=None,
) -> np.ndarray:
    """Return a corrupted copy of ``X``.

    This is the corruption that :class:`~sparse_ae.SparseAutoencoder` applies to
    each training batch when ``noise`` is set, so a model can be evaluated on the
    very kind of noise it was trained to remove.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Clean data.
    noise : {"gaussian", "masking", "salt_and_pepper"}, default="gaussian"
        ``"gaussian"`` adds noise of standard deviation ``noise_level`` and clips
        the result to the range of ``X`` (``[X.min(), X.max()]``, i.e. [0, 1] for
        images scaled to [0, 1]); ``"masking"`` sets a fraction ``noise_level``
        of the entries to zero; ``"salt_and_pepper"`` sets a fraction
        ``noise_level`` of the entries to ``X.min()`` or ``X.max()``.
    noise_level : float, default=0.1
        Standard deviation (gaussian) or fraction of corrupted entries.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise.

    Returns
    -------
    X_noisy : ndarray of shape (n_samples, n_features), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_ae import add_noise
    >>> X = np.full((2, 1000), 0.5)
    >>> X_noisy = add_noise(X, "masking", 0.25, random_state=0)
    >>> round(float((X_noisy == 0).mean()), 1)
    0.2
    """
    if noise not in NOISE_KINDS:
        raise ValueError(f"noise must be one of {NOISE_KINDS}, got {noise!r}.")
    if not (isinstance(noise_level, (int, float)) and noise_level >= 0):
        raise ValueError(f"noise_level must be a number >= 0, got {noise_level!r}.")
    if noise != "gaussian" and noise_level > 1:
        raise ValueError(
            f"noise_level is a fraction of entries for noise={noise!r}, so it must "
            f"be in [0, 1], got {noise_level!r}."
        )
    X = check_array(X, dtype=np.float32, input_name="X")
    generator = torch.Generator().manual_seed(seed_from(random_state))
    x = torch.from_numpy(np.array(X, dtype=np.float32, order="C"))
    low, high = float(x.min()), float(x.max())
    return corrupt(x, noise, noise_level, generator, low, high).numpy()
