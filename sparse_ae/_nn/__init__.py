"""Pure PyTorch building blocks: the network, its loss and the input corruption.

Nothing here imports scikit-learn or skorch; the estimator composes these parts.
"""

from ._loss import (
    LossTerms,
    SparseAutoencoderLoss,
    kl_divergence,
    sparse_autoencoder_loss,
)
from ._module import AutoencoderConfig, AutoencoderModule
from ._noise import corrupt

__all__ = [
    "AutoencoderConfig",
    "AutoencoderModule",
    "LossTerms",
    "SparseAutoencoderLoss",
    "corrupt",
    "kl_divergence",
    "sparse_autoencoder_loss",
]
