"""sparse-ae: a sparse autoencoder that drops in wherever scikit-learn's PCA does."""

from ._estimator import SparseAutoencoder
from .metrics import variance_explained_scorer
from .noise import add_noise

__version__ = "0.1.0"

__all__ = ["SparseAutoencoder", "__version__", "add_noise", "variance_explained_scorer"]
