"""
=======================================
The sparsity / reconstruction trade-off
=======================================

The classic sparse autoencoder has two knobs for sparsity: ``rho``, the mean
activation each sigmoid code unit should have, and ``beta``, how hard the
Kullback-Leibler penalty pulls it there. Sparser codes keep fewer units busy per
image, so they have less room to describe it: reconstruction gets worse. This
example fits a small grid of ``(rho, beta)``, measures on held-out images how
well each model reconstructs (:func:`sparse_ae.metrics.variance_explained`) and
how sparse its codes are (:func:`sparse_ae.metrics.sparsity_stats`), and plots
one against the other.

**Data.** By default the example uses scikit-learn's 8 x 8 handwritten digits
(:func:`sparse_ae.datasets.load_digits`: 1,797 images scaled to [0, 1]), so it
needs no download and runs in well under a minute on two CPU cores. To run it
on 28 x 28 MNIST instead, set the environment variable
``SPARSE_AE_EXAMPLE_DATA`` to a folder holding the MNIST test files
``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (plain or gzipped):
the first 8,000 of those 10,000 images are then the training set and the last
2,000 the test set.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sparse_ae import SparseAutoencoder
from sparse_ae.datasets import load_digits, load_mnist
from sparse_ae.metrics import sparsity_stats, variance_explained

# %%
# Load the data
# -------------

data_dir = os.environ.get("SPARSE_AE_EXAMPLE_DATA")
if data_dir:
    X, y = load_mnist(data_dir, subset="test")
    X_train, X_test = X[:8000], X[-2000:]
else:
    X, y = load_digits()
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0, stratify=y)
print(f"train: {X_train.shape}, test: {X_test.shape}")

# %%
# Settings
# --------
# Every model has 64 sigmoid code units (``sparsity="kl"``) and trains for 30
# epochs on the digits (8 on MNIST) in mini-batches of 128, with Adam at a step
# size of 0.003. The grid crosses four targets ``rho`` with three weights
# ``beta`` (3 is the estimator's default): twelve fits in all.
#
# A sigmoid unit is never exactly zero, so "active" needs a threshold: a unit
# counts as active on an image when its code value is above 0.5, i.e. it is
# more on than off.
#
# One thread (for PyTorch and for the BLAS) trains these small models
# fastest, as explained in the PCA example. The test suite sets
# ``SPARSE_AE_EXAMPLE_QUICK=1`` to check only that the script runs.

torch.set_num_threads(1)
threadpool_limits(1)

quick = os.environ.get("SPARSE_AE_EXAMPLE_QUICK", "") not in ("", "0")
rhos = [0.03, 0.3] if quick else [0.01, 0.03, 0.1, 0.3]
betas = [0.1, 3.0] if quick else [0.1, 1.0, 3.0]
max_iter = 2 if quick else (8 if data_dir else 30)
active_threshold = 0.5

# %%
# Fit the grid
# ------------
# For each model we keep three numbers, all measured on the test images: the
# variance explained by the reconstruction, the mean code value over units and
# images, and the mean fraction of units active per image. Units active on no
# test image at all are "dead": they cost parameters and explain nothing.

shape = (len(betas), len(rhos))
explained = np.empty(shape)
mean_activation = np.empty(shape)
active_fraction = np.empty(shape)
dead_fraction = np.empty(shape)
for i, beta in enumerate(betas):
    for j, rho in enumerate(rhos):
        sae = SparseAutoencoder(
            64,
            sparsity="kl",
            rho=rho,
            beta=beta,
            learning_rate=3e-3,
            batch_size=128,
            max_iter=max_iter,
            random_state=0,
        ).fit(X_train)
        codes = sae.transform(X_test)
        stats = sparsity_stats(codes, threshold=active_threshold)
        explained[i, j] = variance_explained(X_test, sae.inverse_transform(codes))
        mean_activation[i, j] = stats["mean_activation"].mean()
        active_fraction[i, j] = stats["active_fraction"]
        dead_fraction[i, j] = stats["dead_fraction"]
        print(
            f"beta={beta:<4} rho={rho:<5} variance explained={explained[i, j]:.3f}  "
            f"mean activation={mean_activation[i, j]:.3f}  "
            f"active per image={active_fraction[i, j]:.3f}  "
            f"dead units={dead_fraction[i, j]:.2f}"
        )

# %%
# Reconstruction against sparsity
# -------------------------------
# Each line is one ``beta``; along it ``rho`` grows from left to right. On the
# left the sparsity is measured by the mean code value, on the right by the
# fraction of units that are clearly on.

fig, (ax_mean, ax_active) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for i, beta in enumerate(betas):
    ax_mean.plot(mean_activation[i], explained[i], marker="o", label=f"beta={beta}")
    ax_active.plot(active_fraction[i], explained[i], marker="o", label=f"beta={beta}")
# With the strongest penalty the mean code value sits at rho: label those points.
for j, rho in enumerate(rhos):
    ax_mean.annotate(
        f"rho={rho}",
        (mean_activation[-1, j], explained[-1, j]),
        textcoords="offset points",
        xytext=(4, -12),
        fontsize=8,
    )
ax_mean.set_xscale("log")
ax_mean.set_xticks(rhos, [str(rho) for rho in rhos])
ax_mean.minorticks_off()
ax_mean.set_xlabel("mean code value (test images)")
ax_mean.set_ylabel("variance explained (test images)")
ax_active.set_xlabel(f"fraction of units above {active_threshold} per image")
for ax in (ax_mean, ax_active):
    ax.grid(alpha=0.3)
ax_active.legend()
fig.suptitle("Sparser codes reconstruct worse")
fig.tight_layout()

# %%
# The same numbers as a grid
# --------------------------

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
panels = {
    "variance explained": explained,
    "fraction of units active per image": active_fraction,
    "fraction of dead units": dead_fraction,
}
# All three are fractions, so one colour scale from 0 to 1 serves them all.
for ax, (title, values) in zip(axes, panels.items(), strict=True):
    image = ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        color = "black" if value > 0.6 else "white"
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=color)
    ax.set_xticks(range(len(rhos)), [str(rho) for rho in rhos])
    ax.set_yticks(range(len(betas)), [str(beta) for beta in betas])
    ax.set_xlabel("rho")
    ax.set_ylabel("beta")
    ax.set_title(title, fontsize=10)
fig.colorbar(image, ax=axes, shrink=0.9)

plt.show()

# %%
# Reading the results
# -------------------
# On the digits:
#
# * **rho sets the budget.** At any ``beta``, a larger target lets more units
#   fire and the reconstruction improves; the mean code value follows ``rho``
#   closely once ``beta`` is large enough to matter.
# * **beta sets how strictly the budget is kept.** With a weak penalty
#   (``beta=0.1``) the codes stay busier than ``rho`` asks and reconstruct
#   best; with a strong one they meet ``rho`` and reconstruct worse.
# * **A mean can be met without sparsity.** With a strong penalty and a small
#   ``rho``, many units end up *never* above 0.5: the penalty is satisfied by
#   units that hover weakly around ``rho`` on every image rather than by units
#   that fire strongly on a few. Those units are dead by the threshold and the
#   reconstruction suffers. When ``sparse_ae.SparseAutoencoder.dead_fraction_``
#   is large, lower ``beta``, raise ``rho`` or train longer.
#
# On MNIST (see the data note at the top) the ordering by ``beta`` is the same,
# but after its 8 epochs no unit is dead anywhere in the grid, every code is
# still busier than its ``rho``, and with the weakest penalty ``rho`` hardly
# matters at all.
#
# Which point to choose depends on the use: for features feeding a classifier,
# search ``rho`` (and ``beta``) by the classifier's score, as in the pipeline
# example of this gallery; for compression, a bottleneck without a sparsity
# penalty (``sparsity=None``) usually reconstructs better than any point here.
