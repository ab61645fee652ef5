"""
=========================
What the code units learn
=========================

Without hidden layers, each code unit of :class:`~sparse_ae.SparseAutoencoder`
adds one fixed pattern to the reconstruction, scaled by how strongly the unit
is on. Those patterns, the rows of ``components_``, have the shape of an image,
so they can be looked at like PCA's components. This example trains the same
model with three sparsity targets ``rho`` and shows the patterns each learns,
then how often the units fire.

**Data.** By default the example uses scikit-learn's 8 x 8 handwritten digits
(:func:`sparse_ae.datasets.load_digits`: 1,797 images scaled to [0, 1]), so it
needs no download and runs in well under a minute on two CPU cores. To run it
on 28 x 28 MNIST instead, where the patterns are easier to read, set the
environment variable ``SPARSE_AE_EXAMPLE_DATA`` to a folder holding the MNIST
test files ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (plain or
gzipped): the first 8,000 of those 10,000 images are then the training set and
the last 2,000 the test set.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sparse_ae import SparseAutoencoder
from sparse_ae.datasets import load_digits, load_mnist

# %%
# Load the data
# -------------

data_dir = os.environ.get("SPARSE_AE_EXAMPLE_DATA")
if data_dir:
    X, y = load_mnist(data_dir, subset="test")
    X_train, X_test = X[:8000], X[-2000:]
    image_shape = (28, 28)
else:
    X, y = load_digits()
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0, stratify=y)
    image_shape = (8, 8)
print(f"train: {X_train.shape}, test: {X_test.shape}")

# %%
# Settings
# --------
# Each model has 64 sigmoid code units (``sparsity="kl"``) and a penalty weight
# ``beta=1``, and trains for 40 epochs (10 on MNIST) in mini-batches of 128
# with Adam at a step size of 0.003. Only ``rho`` changes between the models.
#
# One thread (for PyTorch and for the BLAS) trains these small models
# fastest, as explained in the PCA example. The test suite sets
# ``SPARSE_AE_EXAMPLE_QUICK=1`` to check only that the script runs.

torch.set_num_threads(1)
threadpool_limits(1)

quick = os.environ.get("SPARSE_AE_EXAMPLE_QUICK", "") not in ("", "0")
rhos = [0.02, 0.3] if quick else [0.02, 0.1, 0.3]
max_iter = 2 if quick else (10 if data_dir else 40)
n_components = 64

models = {}
for rho in rhos:
    models[rho] = SparseAutoencoder(
        n_components,
        sparsity="kl",
        rho=rho,
        beta=1.0,
        learning_rate=3e-3,
        batch_size=128,
        max_iter=max_iter,
        random_state=0,
    ).fit(X_train)
    print(
        f"rho={rho:<5} units never above 0.5 in training: "
        f"{models[rho].dead_fraction_:.0%}"
    )

# %%
# The learned patterns
# --------------------
# Each tile is one row of ``components_``, reshaped to an image: red where the
# unit adds ink, blue where it removes it. Tiles are scaled one by one (a
# pattern's shape matters here, not its size) and sorted by the unit's mean
# activation on the training images, busiest first.


def mosaic(patterns, shape, n_cols):
    """Lay patterns out as one image of tiles, each scaled to [-1, 1]."""
    n_rows = -(-len(patterns) // n_cols)
    height, width = shape
    # One pixel of padding (NaN, drawn blank) between tiles.
    canvas = np.full((n_rows * (height + 1), n_cols * (width + 1)), np.nan)
    for index, pattern in enumerate(patterns):
        row, col = divmod(index, n_cols)
        scale = np.abs(pattern).max() or 1.0
        canvas[
            row * (height + 1) : row * (height + 1) + height,
            col * (width + 1) : col * (width + 1) + width,
        ] = pattern.reshape(shape) / scale
    return canvas


fig, axes = plt.subplots(1, len(rhos), figsize=(4 * len(rhos), 4.3))
for ax, (rho, model) in zip(axes, models.items(), strict=True):
    order = np.argsort(model.mean_activation_)[::-1]
    ax.imshow(
        mosaic(model.components_[order], image_shape, n_cols=8),
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
    )
    ax.set_title(f"rho={rho}")
    ax.axis("off")
fig.suptitle("components_: what each code unit adds to the image")
fig.tight_layout()

# %%
# Unlike PCA's components, these patterns are not ordered by variance and need
# not be orthogonal; with a sigmoid code each can only be added in, from none
# to fully. ``rho`` decides what they become. A unit meant to fire on 2% of the
# images must draw most of a digit by itself when it does, so with small
# ``rho`` the patterns tend towards whole-digit templates; with larger ``rho``
# several units are on for every image and share the work, and the patterns
# become strokes and fragments that only add up to digits together. On the
# 8 x 8 digits, after 40 epochs, the tiles are too coarse and noisy to show
# this well; on MNIST (see the data note at the top), whole 0s, 1s and 7s are
# plain to see among the ``rho=0.02`` tiles.

# %%
# How often the units fire
# ------------------------
# Top: the mean activation of each unit over the test images. The KL penalty
# pulls each of these means towards ``rho`` (the dashed line). Bottom: every
# code value, all units and test images together, on a logarithmic count
# scale. A mean can sit at ``rho`` in two ways: a unit that fires strongly on a
# few images and is near zero otherwise (a sparse code: values pile up near 0
# with a tail towards 1), or a unit that is weakly on everywhere (values pile
# up near ``rho`` itself).

fig, axes = plt.subplots(
    2, len(rhos), figsize=(4 * len(rhos), 5.5), sharex=True, sharey="row"
)
bins = np.linspace(0, 1, 41)
for column, (rho, model) in zip(axes.T, models.items(), strict=True):
    codes = model.transform(X_test)
    column[0].hist(codes.mean(axis=0), bins=bins, color="tab:blue")
    column[1].hist(codes.ravel(), bins=bins, color="tab:orange", log=True)
    for ax in column:
        ax.axvline(rho, color="black", linestyle="--", label=f"rho={rho}")
    column[0].set_title(f"rho={rho}")
    column[1].set_xlabel("activation")
axes[0, 0].set_ylabel("units (by mean activation)")
axes[1, 0].set_ylabel("code values")
axes[0, -1].legend()
fig.tight_layout()

plt.show()

# %%
# On the digits, with ``rho=0.02`` most code values are close to zero and a few
# units fire strongly on each image: a sparse code. As ``rho`` grows the values
# spread out, and at ``rho=0.3`` most units are partly on for most images: a
# dense code that happens to have the requested mean. (On MNIST, after its 10
# epochs, the codes are mostly near 0 or near 1 at every ``rho``, and the means
# still sit above their targets: the penalty has not finished pulling them
# down.) ``dead_fraction_`` (printed above) counts the units that never pass
# 0.5 on a training image, units that only ever hover at their target; the
# trade-off example in this gallery shows how that fraction grows with
# ``beta`` and shrinks with ``rho``.
