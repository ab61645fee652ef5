"""Quality on real images: the project's reference calls against PCA and raw pixels.

Runs, with everything else at its default, the calls the project promises to
deliver, on the first 8,000 images of a data set (training) and the last 2,000
(test), pixels in [0, 1]:

1. bottleneck reconstruction: ``SparseAutoencoder(n_components=32,
   hidden_layer_sizes=(512, 256), sparsity=None, max_iter=60)`` against
   ``PCA(32)``, mean per-image squared error on the test images;
2. denoising, gaussian noise of sigma 0.3 clipped to [0, 1]:
   ``SparseAutoencoder(n_components=256, noise="gaussian", noise_level=0.3,
   max_iter=30)`` and ``SparseAutoencoder(n_components=512,
   hidden_layer_sizes=(1024,), noise="gaussian", noise_level=0.3, max_iter=40)``
   against the best PCA over a grid of sizes, PSNR of the reconstruction of the
   noisy test images against the clean ones;
3. features for ``LogisticRegression(max_iter=3000)``:
   ``SparseAutoencoder(n_components=1024, max_iter=40)`` (KL) and
   ``SparseAutoencoder(n_components=1024, sparsity="topk", max_iter=40)``
   against raw pixels and PCA(64), test accuracy.

All models use ``random_state=0``. Usage::

    python benchmarks/bench_quality.py --data-dir ../shared/datasets/mnist
    python benchmarks/bench_quality.py --dataset fashion-mnist

``--param NAME=VALUE`` (repeatable) changes one parameter of every
autoencoder call run, and ``--random-state`` their seed, to measure a variant
of the defaults on the same protocol, e.g.
``--calls features-topk --param noise=None --random-state 1``.

Prints a Markdown table (and writes it with ``--out``).
"""

from __future__ import annotations

import argparse
import ast
import json
import time

import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from sparse_ae import SparseAutoencoder, add_noise
from sparse_ae.datasets import load_fashion_mnist, load_mnist
from sparse_ae.metrics import psnr, reconstruction_error

CALLS = {
    "bottleneck": dict(
        n_components=32, hidden_layer_sizes=(512, 256), sparsity=None, max_iter=60
    ),
    "denoise-256": dict(
        n_components=256, noise="gaussian", noise_level=0.3, max_iter=30
    ),
    "denoise-deep": dict(
        n_components=512,
        hidden_layer_sizes=(1024,),
        noise="gaussian",
        noise_level=0.3,
        max_iter=40,
    ),
    "features-kl": dict(n_components=1024, max_iter=40),
    "features-topk": dict(n_components=1024, sparsity="topk", max_iter=40),
}
PCA_GRID = (8, 16, 32, 48, 64, 96, 128, 192, 256)


def load(dataset: str, data_dir: str | None):
    loader = load_mnist if dataset == "mnist" else load_fashion_mnist
    # The t10k set alone (10,000 images) is the protocol's whole data set, so
    # the benchmark needs no more than the two t10k files.
    X, y = loader(data_dir, subset="test")
    return X[:8000], X[-2000:], y[:8000], y[-2000:]


def parameter(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` with VALUE a Python literal, else a plain string."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def timed_fit(model, X):
    start = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - start


def accuracy(Z_train, y_train, Z_test, y_test) -> float:
    clf = LogisticRegression(max_iter=3000).fit(Z_train, y_train)
    return float(clf.score(Z_test, y_test))


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset", choices=["mnist", "fashion-mnist"], default="mnist"
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--calls", nargs="+", choices=list(CALLS), default=list(CALLS))
    parser.add_argument("--out", default=None, help="write the rows as JSON here")
    parser.add_argument(
        "--param",
        type=parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of every autoencoder call (repeatable)",
    )
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)

    def autoencoder(name: str) -> SparseAutoencoder:
        params = {**CALLS[name], "random_state": args.random_state}
        return SparseAutoencoder(**{**params, **dict(args.param)})

    torch.set_num_threads(max(1, torch.get_num_threads()))

    X_train, X_test, y_train, y_test = load(args.dataset, args.data_dir)
    X_noisy = add_noise(X_test, "gaussian", 0.3, random_state=1)
    rows = []

    def row(task, model, metric, value, fit_s, target="", sae=None):
        # dead: the fitted autoencoder's fraction of never-active code units.
        dead = None if sae is None else sae.dead_fraction_
        rows.append(
            dict(
                task=task,
                model=model,
                metric=metric,
                value=value,
                fit_s=fit_s,
                dead_fraction=dead,
                target=target,
            )
        )
        dead_cell = "" if dead is None else f"{dead:.3f}"
        print(
            f"| {task} | {model} | {metric} | {value:.4g} | {fit_s:.1f} "
            f"| {dead_cell} | {target} |",
            flush=True,
        )

    print("| task | model | metric | value | fit s | dead units | target |")
    print("|---|---|---|---|---|---|---|")
    row("-", "noisy input", "PSNR dB", psnr(X_test, X_noisy), 0.0)

    if "bottleneck" in args.calls:
        pca, t = timed_fit(PCA(32, random_state=0), X_train)
        pca_err = reconstruction_error(
            X_test, pca.inverse_transform(pca.transform(X_test))
        )
        row("bottleneck", "PCA(32)", "test SSE/image", pca_err, t)
        sae, t = timed_fit(autoencoder("bottleneck"), X_train)
        err = reconstruction_error(X_test, sae.inverse_transform(sae.transform(X_test)))
        row(
            "bottleneck",
            "SAE 512-256-32",
            "test SSE/image",
            err,
            t,
            f"<= {pca_err / 2:.2f} (half of PCA)",
            sae,
        )

    if {"denoise-256", "denoise-deep"} & set(args.calls):
        best = max(
            (psnr(X_test, p.inverse_transform(p.transform(X_noisy))), n)
            for n in PCA_GRID
            for p in [PCA(n, random_state=0).fit(X_train)]
        )
        row("denoise", f"best PCA ({best[1]})", "PSNR dB", best[0], 0.0)
        for name, target in (("denoise-256", best[0] + 0.5), ("denoise-deep", 20.0)):
            if name not in args.calls:
                continue
            sae, t = timed_fit(autoencoder(name), X_train)
            value = psnr(X_test, sae.inverse_transform(sae.transform(X_noisy)))
            row("denoise", name, "PSNR dB", value, t, f">= {target:.2f}", sae)

    if {"features-kl", "features-topk"} & set(args.calls):
        row(
            "features",
            "raw pixels",
            "test accuracy",
            accuracy(X_train, y_train, X_test, y_test),
            0.0,
        )
        pca = PCA(64, random_state=0).fit(X_train)
        row(
            "features",
            "PCA(64)",
            "test accuracy",
            accuracy(pca.transform(X_train), y_train, pca.transform(X_test), y_test),
            0.0,
        )
        for name, target in (("features-kl", 0.96), ("features-topk", 0.97)):
            if name not in args.calls:
                continue
            sae, t = timed_fit(autoencoder(name), X_train)
            value = accuracy(
                sae.transform(X_train), y_train, sae.transform(X_test), y_test
            )
            row("features", name, "test accuracy", value, t, f">= {target}", sae)

    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=2)
    return rows


if __name__ == "__main__":
    main()
