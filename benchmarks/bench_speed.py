"""Training and inference speed of SparseAutoencoder against plain PyTorch and skorch.

Three ways to train the same network (784 -> 196 sigmoid code -> 784 sigmoid
output, KL sparsity with rho=0.1 and beta=3, no weight decay, Adam with a
constant step of 1e-3 (after the estimator's one-epoch warm-up, which changes
the step sizes, not the work), same batch size and epochs) on the same data, run
interleaved in one process (A B C A B C ...) so that a change in the machine's
load hits all of them alike; the tables report medians over the repeats and the
ratio of medians:

(a) ``SparseAutoencoder.fit`` (including its input validation and the fitted
    attributes it computes at the end, a pass over X that costs about a
    sixth of an epoch; the column "a's epochs/b" leaves that once-per-fit work
    out, timing the epochs alone from skorch's history);
(b) a hand-written PyTorch loop that draws a ``torch.randperm`` each epoch and
    slices a preloaded tensor; (b) uses ``torch.optim.Adam`` with its defaults
    (what one would write), (b') the fused Adam that (a) runs, so that a/b'
    isolates the framework's overhead;
(c) a plain skorch ``NeuralNet`` with its default ``Dataset`` and ``DataLoader``.

Further sections: FLOP/s reached by (a) and (b) against a large ``torch.mm``;
``transform``/``inverse_transform`` against a bare forward pass of the module;
how fit time grows with ``n_samples`` and ``n_components``; and peak memory of
fit in a fresh subprocess per configuration (the resident high-water mark
of the fit, and the resident size sampled during it), for 2 and 20 epochs.

Run ``python benchmarks/bench_speed.py`` (about 10 minutes on 2 idle cores;
``--quick`` for a short run, ``--data-dir DIR`` for the real MNIST test set
read with ``sparse_ae.datasets.load_mnist(DIR, subset="test")``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import torch
from skorch import NeuralNet

from sparse_ae import SparseAutoencoder
from sparse_ae._nn import AutoencoderConfig, AutoencoderModule, sparse_autoencoder_loss

N_FEATURES = 784
N_COMPONENTS = 196
RHO, BETA, LR = 0.1, 3.0, 1e-3


# -- data ----------------------------------------------------------------------


def synthetic_images(n_samples: int, seed: int = 0) -> np.ndarray:
    """MNIST-like 28x28 images in [0, 1]: a few blurred strokes on black.

    Mostly zeros with bright, spatially correlated strokes, like handwritten
    digits, so the sigmoid output and the sparse code see realistic statistics.
    """
    rng = np.random.default_rng(seed)
    grid = np.arange(28, dtype=np.float32)
    images = np.zeros((n_samples, 28, 28), dtype=np.float32)
    for _ in range(4):
        # A stroke: points along a random segment, each a small gaussian blob.
        start = rng.uniform(6, 22, size=(n_samples, 2)).astype(np.float32)
        end = rng.uniform(6, 22, size=(n_samples, 2)).astype(np.float32)
        for t in np.linspace(0, 1, 6, dtype=np.float32):
            centre = start + t * (end - start)
            dy = (grid[None, :] - centre[:, :1]) ** 2
            dx = (grid[None, :] - centre[:, 1:]) ** 2
            images += np.exp(-(dy[:, :, None] + dx[:, None, :]) / 2.0)
    return np.clip(images, 0.0, 1.0).reshape(n_samples, N_FEATURES)


def load_data(args: argparse.Namespace, n_samples: int) -> np.ndarray:
    if args.data_dir is None:
        return synthetic_images(n_samples)
    from sparse_ae.datasets import load_mnist

    X, _ = load_mnist(args.data_dir, subset="test", download=False)
    X = np.asarray(X, dtype=np.float32)
    # Repeat the 10k test images when more samples are asked for.
    return np.resize(X, (n_samples, X.shape[1]))


# -- the three trainers ----------------------------------------------------------


def make_estimator(batch_size: int, epochs: int, n_components: int = N_COMPONENTS):
    return SparseAutoencoder(
        n_components,
        sparsity="kl",
        rho=RHO,
        beta=BETA,
        alpha=0.0,
        output_activation="sigmoid",
        learning_rate=LR,
        lr_schedule="constant",
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        random_state=0,
    )


def fit_estimator(X: np.ndarray, batch_size: int, epochs: int) -> float:
    """Fit (a); return the seconds its epochs took (skorch's ``dur`` column)."""
    est = make_estimator(batch_size, epochs).fit(X)
    return float(sum(est.net_.history[:, "dur"]))


def make_module(n_components: int = N_COMPONENTS) -> AutoencoderModule:
    module = AutoencoderModule(AutoencoderConfig(N_FEATURES, n_components))
    module.reset_parameters(torch.Generator().manual_seed(0))
    return module


def hand_loop(X: np.ndarray, batch_size: int, epochs: int, fused: bool) -> None:
    generator = torch.Generator().manual_seed(0)
    module = make_module()
    optimizer = torch.optim.Adam(
        module.parameters(), lr=LR, **({"fused": True} if fused else {})
    )
    data = torch.from_numpy(X)
    for _ in range(epochs):
        order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(data), batch_size):
            batch = data[order[start : start + batch_size]]
            reconstruction, code = module(batch)
            loss = sparse_autoencoder_loss(
                batch, reconstruction, code, [], sparsity="kl", rho=RHO, beta=BETA
            ).total
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


class SkorchCriterion(torch.nn.Module):
    """The loss for a plain skorch net; ``y_pred`` is ``(reconstruction, code)``."""

    def forward(self, y_pred, y_true):
        reconstruction, code = y_pred
        return sparse_autoencoder_loss(
            y_true, reconstruction, code, [], sparsity="kl", rho=RHO, beta=BETA
        ).total


def fit_skorch(X: np.ndarray, batch_size: int, epochs: int) -> None:
    torch.manual_seed(0)
    net = NeuralNet(
        make_module(),
        criterion=SkorchCriterion,
        optimizer=torch.optim.Adam,
        lr=LR,
        batch_size=batch_size,
        max_epochs=epochs,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    net.fit(X, X)


# -- timing helpers ------------------------------------------------------------


def interleaved(
    runs: dict[str, Callable[[], object]], repeats: int
) -> dict[str, float]:
    """Median seconds of each run, the runs taken in turn ``repeats`` times.

    Each repeat takes the runs in a fresh random order (seeded, so reruns take
    the same orders): a run that leaves the caches cold or hands large buffers
    back to the OS slows whichever run follows it, and with a fixed or merely
    rotated order that would always be the same one.
    """
    for run in runs.values():  # warm-up: allocator, thread pool, lazy imports
        run()
    order = random.Random(0)
    names = list(runs)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        order.shuffle(names)
        for name in names:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" for _ in header) + "|")
    for row in rows:
        cells = [f"{c:.4g}" if isinstance(c, float) else str(c) for c in row]
        print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


def macs_per_sample(n_components: int = N_COMPONENTS) -> int:
    return 2 * N_FEATURES * n_components  # encoder and decoder weight matrices


# -- sections --------------------------------------------------------------------


def section_throughput(args, X) -> dict[int, dict[str, float]]:
    rows, results = [], {}
    for bs in args.batch_sizes:
        epoch_seconds: list[float] = []
        med = interleaved(
            {
                "a": lambda bs=bs, out=epoch_seconds: out.append(
                    fit_estimator(X, bs, args.epochs)
                ),
                "b": lambda bs=bs: hand_loop(X, bs, args.epochs, fused=False),
                "b'": lambda bs=bs: hand_loop(X, bs, args.epochs, fused=True),
                "c": lambda bs=bs: fit_skorch(X, bs, args.epochs),
            },
            args.repeats,
        )
        results[bs] = med
        rate = {k: len(X) * args.epochs / v for k, v in med.items()}
        # The epochs alone: fit minus its once-per-fit work (validation,
        # initialisation, the fitted attributes' pass over X).
        loop = statistics.median(epoch_seconds[1:])  # [0]: interleaved's warm-up
        rows.append(
            [
                bs,
                rate["a"],
                rate["b"],
                rate["b'"],
                rate["c"],
                med["a"] / med["b"],
                loop / med["b"],
                med["a"] / med["b'"],
                med["c"] / med["b"],
            ]
        )
    table(
        f"Training throughput, samples/s (n_samples={len(X)}, epochs="
        f"{args.epochs}, median of {args.repeats} interleaved repeats)",
        [
            "batch",
            "(a) estimator",
            "(b) hand loop",
            "(b') hand, fused Adam",
            "(c) skorch NeuralNet",
            "time a/b",
            "a's epochs/b",
            "time a/b'",
            "time c/b",
        ],
        rows,
    )
    return results


def section_flops(args, X, results) -> None:
    n = 2048
    A, B = torch.rand(n, n), torch.rand(n, n)
    mm = interleaved({"mm": lambda: torch.mm(A, B)}, max(args.repeats, 5))["mm"]
    peak = 2 * n**3 / mm
    flops_per_sample = 6 * macs_per_sample()
    rows = [["torch.mm 2048x2048", "", peak / 1e9, 1.0]]
    for bs, med in results.items():
        for name in ("a", "b"):
            rate = flops_per_sample * len(X) * args.epochs / med[name] / 1e9
            rows.append([f"({name}) batch {bs}", "", rate, rate * 1e9 / peak])
    table(
        "FLOP/s (fwd+bwd counted as 6 x weight MACs per sample = "
        f"{flops_per_sample / 1e6:.3g} MFLOP; element-wise ops and Adam not "
        "counted)",
        ["what", "", "GFLOP/s", "fraction of mm"],
        rows,
    )


def section_transform(args, X) -> None:
    sae = make_estimator(256, 1).fit(X[:2000])
    module = sae.net_.module_
    data = torch.from_numpy(X)
    codes = sae.transform(X)
    code_tensor = torch.from_numpy(codes)
    block = sae._chunks(len(X))[0]
    rows = block.stop - block.start

    def bare(fn, tensor, n_out, rows=rows, plain=False):
        # A hand-written inference loop: the module over blocks of rows (by
        # default the estimator's), into one preallocated output. plain=True
        # runs the activations as in training, in one call per layer, without
        # the piecewise evaluation that makes a row's result independent of its
        # position in the batch (sparse_ae._nn._module._PositionFreeInEval).
        module.train(plain)
        try:
            out = torch.empty(len(tensor), n_out)
            with torch.inference_mode():
                for i in range(0, len(tensor), rows):
                    out[i : i + rows] = fn(tensor[i : i + rows])
            return out.numpy()
        finally:
            module.eval()

    n_in, n_code = X.shape[1], codes.shape[1]
    med = interleaved(
        {
            "transform": lambda: sae.transform(X),
            "encode": lambda: bare(module.encode, data, n_code),
            "encode, plain": lambda: bare(module.encode, data, n_code, plain=True),
            "encode, one pass": lambda: bare(module.encode, data, n_code, len(X)),
            "inverse_transform": lambda: sae.inverse_transform(codes),
            "decode": lambda: bare(module.decode, code_tensor, n_in),
            "decode, plain": lambda: bare(module.decode, code_tensor, n_in, plain=True),
            "decode, one pass": lambda: bare(module.decode, code_tensor, n_in, len(X)),
        },
        max(args.repeats, 5),
    )
    table_rows = []
    for method, forward in (("transform", "encode"), ("inverse_transform", "decode")):
        for reference in (forward, forward + ", plain", forward + ", one pass"):
            table_rows.append(
                [
                    f"{method} vs {reference}",
                    len(X) / med[method],
                    len(X) / med[reference],
                    med[method] / med[reference],
                ]
            )
    table(
        f"Inference throughput, samples/s (n_samples={len(X)}; bare module in "
        f"blocks of {rows} rows as the estimator, in eval mode; plain: each "
        "activation in one call, as in training; one pass: the whole array at "
        "once)",
        ["method", "estimator", "bare module", "time ratio"],
        table_rows,
    )


def section_scaling(args) -> None:
    X_all = load_data(args, max(args.scaling_samples))
    repeats = max(1, min(args.repeats, 3))
    med = interleaved(
        {
            n: (lambda n=n: fit_estimator(X_all[:n], 256, 1))
            for n in args.scaling_samples
        },
        repeats,
    )
    base = min(args.scaling_samples)
    table(
        f"Fit time against n_samples (batch 256, 1 epoch, median of {repeats})",
        ["n_samples", "seconds", "us per sample", "time per sample / smallest's"],
        [
            [
                n,
                t,
                t / n * 1e6,
                (t / n) / (med[base] / base),
            ]
            for n, t in med.items()
        ],
    )
    X = X_all[: args.components_samples]
    med = interleaved(
        {
            k: (lambda k=k: make_estimator(256, 1, n_components=k).fit(X))
            for k in args.components
        },
        repeats,
    )
    table(
        f"Fit time against n_components (n_samples={len(X)}, batch 256, 1 epoch)",
        ["n_components", "seconds", "GFLOP/s (6 x weight MACs)"],
        [[k, t, 6 * macs_per_sample(k) * len(X) / t / 1e9] for k, t in med.items()],
    )


def current_rss_mib() -> float:
    """Resident memory of this process now (Linux ``/proc``; 0 where absent)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float | None:
    """This process's resident high-water mark (Linux ``VmHWM``), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def memory_child(n_samples: int, epochs: int, data_dir: str | None) -> None:
    """Run in a fresh process: resident memory before and at its peak during fit.

    The peak is the kernel's resident high-water mark, reset just before the
    fit (Linux: writing 5 to ``/proc/self/clear_refs``), so that neither the
    imports nor the parent process count: ``ru_maxrss`` would hold the
    parent's size at the fork. The resident size is also sampled every 5 ms
    during the fit, which works everywhere but can miss a short peak.
    """
    import threading

    torch.set_num_threads(2)
    args = argparse.Namespace(data_dir=data_dir)
    X = load_data(args, n_samples)
    before = current_rss_mib()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        exact = True
    except OSError:
        exact = False
    sampled = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            sampled[0] = max(sampled[0], current_rss_mib())

    sampler = threading.Thread(target=sample)
    sampler.start()
    make_estimator(256, epochs).fit(X)
    done.set()
    sampler.join()
    peak = _peak_rss_mib() if exact else None
    print(json.dumps({"before": before, "peak": peak, "sampled": sampled[0]}))


def section_memory(args) -> None:
    rows = []
    for n in args.memory_samples:
        for epochs in (2, 20):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--memory-child",
                    str(n),
                    str(epochs),
                    *(["--data-dir", args.data_dir] if args.data_dir else []),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            res = json.loads(out.stdout.strip().splitlines()[-1])
            peak = res["sampled"] if res["peak"] is None else res["peak"]
            data_mib = n * N_FEATURES * 4 / 2**20
            rows.append(
                [
                    n,
                    epochs,
                    data_mib,
                    res["before"],
                    peak,
                    peak - res["before"],
                    res["sampled"],
                ]
            )
    table(
        "Memory of fit (a fresh process per row, batch 256; peak: resident "
        "high-water mark reset before the fit, or the sampled peak where that "
        "is not available)",
        [
            "n_samples",
            "epochs",
            "X (MiB)",
            "RSS before fit (MiB)",
            "peak RSS during fit (MiB)",
            "fit's peak extra (MiB)",
            "sampled peak, every 5 ms (MiB)",
        ],
        rows,
    )


# -- main --------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None, help="MNIST idx files")
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--batch-sizes", type=int, nargs="+", default=[32, 128, 256, 1024]
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        default=["throughput", "transform", "scaling", "memory"],
        choices=["throughput", "transform", "scaling", "memory"],
        help="throughput also prints the FLOP/s table",
    )
    parser.add_argument(
        "--scaling-samples", type=int, nargs="+", default=[1000, 4000, 16000, 60000]
    )
    parser.add_argument(
        "--components", type=int, nargs="+", default=[64, 256, 1024, 4096]
    )
    parser.add_argument("--components-samples", type=int, default=2000)
    parser.add_argument("--memory-samples", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples = min(args.n_samples, 1000)
        args.epochs = 1
        args.repeats = min(args.repeats, 3)
        args.scaling_samples = [1000, 4000]
        args.components = [64, 1024]
        args.components_samples = 1000
        args.memory_samples = [2000]
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child, args.data_dir)
        return
    torch.set_num_threads(args.threads)
    print(
        f"# bench_speed: torch {torch.__version__}, {args.threads} threads, "
        f"load average {os.getloadavg()}, data "
        f"{'synthetic' if args.data_dir is None else args.data_dir}"
    )
    X = load_data(args, args.n_samples)
    if "throughput" in args.sections:
        results = section_throughput(args, X)
        section_flops(args, X, results)
    if "transform" in args.sections:
        section_transform(args, load_data(args, max(args.n_samples, 10000)))
    if "scaling" in args.sections:
        section_scaling(args)
    if "memory" in args.sections:
        section_memory(args)
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
