"""How the input's scale affects training: held-out variance explained on digits.

The same ``SparseAutoencoder(n_components=32, max_iter=50)`` is fitted to
scikit-learn's digits scaled four ways ([0, 1], raw 0..16, 0..255 and
standardised), for each sparsity mode. This is the evidence behind the
warning ``fit`` gives for large inputs. Usage::

    python benchmarks/bench_input_scale.py
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sparse_ae import SparseAutoencoder


def main() -> None:
    warnings.simplefilter("ignore")
    X = load_digits().data.astype(np.float64)
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_train)
    versions = {
        "[0, 1] (/16)": (X_train / 16, X_test / 16),
        "raw 0..16": (X_train, X_test),
        "0..255": (X_train * 255 / 16, X_test * 255 / 16),
        "standardised": (scaler.transform(X_train), scaler.transform(X_test)),
    }
    print("| sparsity | input | held-out variance explained | fit s |")
    print("|---|---|---|---|")
    for sparsity in ("kl", "l1", None):
        for name, (train, test) in versions.items():
            start = time.perf_counter()
            sae = SparseAutoencoder(
                n_components=32, max_iter=50, sparsity=sparsity, random_state=0
            ).fit(train)
            seconds = time.perf_counter() - start
            print(f"| {sparsity} | {name} | {sae.score(test):.3f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
