"""The ``sparse-ae`` command line.

``sparse-ae compare`` fits a :class:`~sparse_ae.SparseAutoencoder` and a
:class:`~sklearn.decomposition.PCA` with the same number of components on one
data set and measures both on held-out data: reconstruction, denoising,
classification from the codes, sparsity and fit time. It prints the table and
writes it, with figures, to an output folder.

Every user error (a bad option, missing data, a parameter the estimator
rejects) ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Per data set: the default code size and number of epochs. The epochs keep the
# default digits run well under a minute on two CPU cores.
_DATASET_DEFAULTS = {
    "digits": {"n_components": 32, "max_iter": 100},
    "mnist": {"n_components": 64, "max_iter": 20},
    "fashion-mnist": {"n_components": 64, "max_iter": 20},
}
# Held-out fraction when a data set comes without its own test split.
_TEST_FRACTION = 0.25
# Held-out fraction when only the 10,000 t10k images are present: the last
# 2,000 are the test set.
_T10K_TEST_FRACTION = 0.2
_N_IMAGES_SHOWN = 10

_DESCRIPTION_TOP = """\
sparse-ae: a sparse autoencoder that is a scikit-learn estimator.
Compare it with PCA on image data sets.
"""

_DESCRIPTION_COMPARE = """\
Fit a SparseAutoencoder and a PCA with the same number of components on the
training split of a data set and measure both on its held-out split:
reconstruction (variance explained, per-sample squared error, MSE), denoising
(PSNR of the reconstruction of noisy images), accuracy of a logistic regression
trained on the codes (and on the raw pixels), sparsity of the codes and fit
time. The autoencoder is trained as a denoising autoencoder with the same noise
unless --no-train-noise is given. A progress bar shows the training.
"""

_EPILOG_TOP = """\
example:
  sparse-ae compare --out sparse_ae_output
  sparse-ae compare --help
"""

_EPILOG_COMPARE = """\
examples:
  sparse-ae compare
  sparse-ae compare --dataset mnist --data-dir ~/data/mnist --n-train 20000
  sparse-ae compare --n-components 128 --sae-param sparsity=topk \\
      --sae-param k=16 --noise masking --noise-level 0.4

Writes into --out: results.json, results.md (the table in Markdown), and the
figures components_sae.png, components_pca.png, reconstructions.png,
denoising.png, sparsity.png and loss_curve.png (with matplotlib installed:
pip install sparse-ae[plot]).
"""


class _UsageError(Exception):
    """A command-line error: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage dump, no exit)."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


# -- option types --------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number >= 0, got {text!r}"
        ) from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


# SparseAutoencoder parameters that have an option of their own (which also
# sets PCA, the noise of the test images or the output).
_OWN_OPTIONS = {
    "n_components": "--n-components",
    "max_iter": "--max-iter",
    "random_state": "--random-state",
    "noise": "--noise or --no-train-noise",
    "noise_level": "--noise-level",
    "verbose": "--quiet",
}


def _sae_param(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` into a SparseAutoencoder parameter and its value.

    The value is a Python literal (``0.1``, ``(256,)``, ``None``, ``'topk'``);
    anything that is not one is taken as a plain string, so ``sparsity=topk``
    works without shell-quoted quotes.
    """
    from ._estimator import SparseAutoencoder

    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    valid = sorted(set(SparseAutoencoder().get_params()) - set(_OWN_OPTIONS))
    if key in _OWN_OPTIONS:
        raise argparse.ArgumentTypeError(
            f"set {key!r} with {_OWN_OPTIONS[key]}, not --sae-param"
        )
    if key not in valid:
        raise argparse.ArgumentTypeError(
            f"unknown SparseAutoencoder parameter {key!r}; expected one of "
            f"{', '.join(valid)}"
        )
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        value = raw.strip()
    return key, value


# -- the parser ----------------------------------------------------------------


def _build_parser(prog: str) -> _Parser:
    from . import __version__

    parser = _Parser(
        prog=prog,
        description=_DESCRIPTION_TOP,
        epilog=_EPILOG_TOP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands", required=True
    )

    compare = commands.add_parser(
        "compare",
        help="fit a SparseAutoencoder and a PCA on one data set and compare them",
        description=_DESCRIPTION_COMPARE,
        epilog=_EPILOG_COMPARE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = compare.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=sorted(_DATASET_DEFAULTS),
        default="digits",
        help=(
            "digits: scikit-learn's 1,797 8x8 digits, embedded, split 75/25 "
            "stratified; mnist, fashion-mnist: 28x28 images, their own test "
            "split (or, with the t10k files only, the first 80%% for training "
            "and the last 20%% for testing) (default: %(default)s)"
        ),
    )
    data.add_argument(
        "--data-dir",
        metavar="DIR",
        help=(
            "folder holding the IDX files of mnist or fashion-mnist (default: "
            "the loaders' search path, e.g. $SPARSE_AE_DATA, then a download)"
        ),
    )
    data.add_argument(
        "--n-train",
        type=_positive_int,
        metavar="N",
        help="train on a random subset of N training images (default: all)",
    )

    model = compare.add_argument_group("models")
    model.add_argument(
        "--n-components",
        type=_positive_int,
        metavar="K",
        help=(
            "code units of the autoencoder and components of PCA (default: "
            + ", ".join(
                f"{d['n_components']} for {name}"
                for name, d in _DATASET_DEFAULTS.items()
            )
            + ")"
        ),
    )
    model.add_argument(
        "--max-iter",
        type=_positive_int,
        metavar="EPOCHS",
        help=(
            "training epochs of the autoencoder (default: "
            + ", ".join(
                f"{d['max_iter']} for {name}" for name, d in _DATASET_DEFAULTS.items()
            )
            + ")"
        ),
    )
    model.add_argument(
        "--sae-param",
        type=_sae_param,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=(
            "any other SparseAutoencoder parameter, as a Python literal, e.g. "
            "rho=0.02 or hidden_layer_sizes=(256,); repeatable; overrides the "
            "options above"
        ),
    )
    model.add_argument(
        "--clf-max-iter",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="max_iter of the LogisticRegression (default: %(default)s)",
    )
    model.add_argument(
        "--torch-threads",
        type=_positive_int,
        default=1,
        metavar="N",
        help="PyTorch CPU threads while the command runs; one is fastest for "
        "networks this small, above all on shared cores (default: %(default)s)",
    )
    model.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the split, the subset, the noise and the models "
        "(default: %(default)s)",
    )

    noise = compare.add_argument_group("noise")
    noise.add_argument(
        "--noise",
        choices=("gaussian", "masking", "salt_and_pepper"),
        default="gaussian",
        help="corruption of the held-out images for the denoising test, and of "
        "the training images (default: %(default)s)",
    )
    noise.add_argument(
        "--noise-level",
        type=_non_negative_float,
        default=0.3,
        metavar="LEVEL",
        help="standard deviation (gaussian) or fraction of corrupted pixels "
        "(default: %(default)s)",
    )
    noise.add_argument(
        "--no-train-noise",
        dest="train_noise",
        action="store_false",
        help="train the autoencoder on clean images (default: train it as a "
        "denoising autoencoder with --noise and --noise-level)",
    )

    output = compare.add_argument_group("output")
    output.add_argument(
        "--out",
        type=Path,
        default=Path("sparse_ae_output"),
        metavar="DIR",
        help="folder for the results and figures, created if needed "
        "(default: %(default)s)",
    )
    output.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar or messages; print only the table",
    )
    compare.set_defaults(run=_compare)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "sparse-ae") -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments, without the program name; ``None`` reads ``sys.argv``.
    prog : str, default="sparse-ae"
        The program name shown in help and error messages.

    Returns
    -------
    status : int
        0 on success, 2 on a usage or data error (reported as one line on
        stderr), 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0
    args.argv = argv
    import torch

    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(args.torch_threads)
        return args.run(args)
    # The errors a user can cause: bad parameter values (InvalidParameterError
    # is a ValueError), missing or unreadable files, a diverging fit.
    except (ValueError, OSError, FloatingPointError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{prog} {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        # main() may run inside a larger program (the tests do): leave torch as
        # it was found.
        torch.set_num_threads(threads)


# -- compare -------------------------------------------------------------------


@dataclass
class _Split:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    description: str


def _load_split(args: argparse.Namespace) -> _Split:
    """The training and held-out images of the chosen data set."""
    from sklearn.model_selection import train_test_split

    from .datasets import load_digits, load_fashion_mnist, load_mnist

    if args.dataset == "digits":
        if args.data_dir is not None:
            raise ValueError(
                "--data-dir applies to mnist and fashion-mnist only; digits is "
                "embedded in scikit-learn."
            )
        X, y = load_digits()
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=_TEST_FRACTION, stratify=y, random_state=args.random_state
        )
        description = (
            f"stratified {1 - _TEST_FRACTION:.0%}/{_TEST_FRACTION:.0%} split, "
            f"random_state={args.random_state}"
        )
    else:
        load = load_mnist if args.dataset == "mnist" else load_fashion_mnist
        try:
            X_train, y_train = load(args.data_dir, subset="train")
        except FileNotFoundError as train_error:
            # Some folders hold only the t10k pair; then split it. No second
            # download: had one been possible, the first call would have made it.
            try:
                X, y = load(args.data_dir, subset="test", download=False)
            except FileNotFoundError:
                raise _missing_data(args, train_error) from None
            n_test = round(_T10K_TEST_FRACTION * len(X))
            X_train, y_train = X[:-n_test], y[:-n_test]
            X_test, y_test = X[-n_test:], y[-n_test:]
            description = (
                f"t10k files only: first {len(X_train)} images for training, last "
                f"{n_test} for testing"
            )
        else:
            X_test, y_test = load(args.data_dir, subset="test")
            description = "the data set's own train and test splits"

    if args.n_train is not None and args.n_train < len(X_train):
        rng = np.random.default_rng(args.random_state)
        rows = np.sort(rng.choice(len(X_train), size=args.n_train, replace=False))
        X_train, y_train = X_train[rows], y_train[rows]
        description += f", random subset of {args.n_train} training images"
    return _Split(X_train, y_train, X_test, y_test, description)


def _missing_data(args: argparse.Namespace, error: FileNotFoundError) -> Exception:
    if args.data_dir is None:
        return error
    return FileNotFoundError(
        f"no {args.dataset} images in --data-dir {args.data_dir}: expected "
        "train-images-idx3-ubyte and train-labels-idx1-ubyte, and/or "
        "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)."
    )


def _make_models(args: argparse.Namespace, n_components: int, split: _Split):
    from sklearn.decomposition import PCA

    from ._estimator import SparseAutoencoder

    params = {
        "n_components": n_components,
        "max_iter": args.max_iter,
        "noise": args.noise if args.train_noise else None,
        "noise_level": args.noise_level,
        "random_state": args.random_state,
        "verbose": 0 if args.quiet else 1,
    }
    params.update(dict(args.sae_param))
    sae = SparseAutoencoder(**params)
    # PCA has at most min(n_samples, n_features) components; an overcomplete
    # autoencoder is compared with the full PCA.
    n_pca = min(n_components, *split.X_train.shape)
    pca = PCA(n_components=n_pca, random_state=args.random_state)
    return sae, pca


def _evaluate(
    model: Any,
    split: _Split,
    X_test_noisy: np.ndarray,
    *,
    threshold: float,
    clf_max_iter: int,
) -> dict[str, Any]:
    """Measure one fitted transformer on the held-out images."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .metrics import (
        psnr,
        reconstruction_error,
        reconstruction_mse,
        sparsity_stats,
        variance_explained,
    )

    codes_test = model.transform(split.X_test)
    X_rec = model.inverse_transform(codes_test)
    X_denoised = model.inverse_transform(model.transform(X_test_noisy))
    stats = sparsity_stats(codes_test, threshold=threshold)

    # Standardised codes: one solver setting suits representations of very
    # different scales (sigmoid codes, PCA scores, pixels).
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=clf_max_iter))
    start = time.perf_counter()
    clf.fit(model.transform(split.X_train), split.y_train)
    clf_time = time.perf_counter() - start
    return {
        "n_components": int(codes_test.shape[1]),
        "variance_explained": variance_explained(split.X_test, X_rec),
        "reconstruction_error": reconstruction_error(split.X_test, X_rec),
        "reconstruction_mse": reconstruction_mse(split.X_test, X_rec),
        "denoising_psnr": psnr(split.X_test, X_denoised),
        "accuracy": float(clf.score(codes_test, split.y_test)),
        "classifier_fit_time_s": clf_time,
        "active_fraction": stats["active_fraction"],
        "dead_fraction": stats["dead_fraction"],
        "activity_threshold": threshold,
    }


def _fit_timed(model: Any, X: np.ndarray) -> float:
    start = time.perf_counter()
    model.fit(X)
    return time.perf_counter() - start


def _compare(args: argparse.Namespace) -> int:
    from sklearn import __version__ as sklearn_version
    from sklearn.preprocessing import FunctionTransformer

    from . import __version__
    from .metrics import psnr
    from .noise import add_noise
    from .plotting import _activity_threshold

    started = time.perf_counter()
    say = _printer(args.quiet)
    defaults = _DATASET_DEFAULTS[args.dataset]
    n_components = args.n_components or defaults["n_components"]
    args.max_iter = args.max_iter or defaults["max_iter"]

    # Everything a user can get wrong is checked before the first message, so
    # that an error is the only line printed.
    split = _load_split(args)
    n_features = split.X_train.shape[1]
    X_test_noisy = add_noise(
        split.X_test, args.noise, args.noise_level, random_state=args.random_state
    )
    sae, pca = _make_models(args, n_components, split)
    # The declarative parameter check that fit runs first (scikit-learn's).
    sae._validate_params()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    say(
        f"{args.dataset}: {len(split.X_train)} training and {len(split.X_test)} "
        f"held-out images of {n_features} pixels ({split.description})."
    )

    say(f"Fitting SparseAutoencoder(n_components={sae.n_components})...")
    sae_time = _fit_timed(sae, split.X_train)
    say(f"Fitting PCA(n_components={pca.n_components})...")
    pca_time = _fit_timed(pca, split.X_train)

    say("Evaluating on the held-out images...")
    # The raw pixels as a "model": the identity, the baseline for accuracy, and
    # its "denoised" images are the noisy input itself.
    identity = FunctionTransformer(inverse_func=None).fit(split.X_train)
    rows = []
    for name, model, fit_time in (
        ("SAE", sae, sae_time),
        ("PCA", pca, pca_time),
        ("raw pixels", identity, None),
    ):
        row = {"model": name, "fit_time_s": fit_time}
        row.update(
            _evaluate(
                model,
                split,
                X_test_noisy,
                threshold=_activity_threshold(model),
                clf_max_iter=args.clf_max_iter,
            )
        )
        rows.append(row)
    raw = rows[-1]
    # Reconstructing by the identity is perfect by construction: not a result.
    for key in ("variance_explained", "reconstruction_error", "reconstruction_mse"):
        raw[key] = None

    results = {
        "command": shlex.join(["sparse-ae", *args.argv]),
        "dataset": args.dataset,
        "split": split.description,
        "n_train": len(split.X_train),
        "n_test": len(split.X_test),
        "n_features": n_features,
        "noise": args.noise,
        "noise_level": args.noise_level,
        "noisy_input_psnr": psnr(split.X_test, X_test_noisy),
        "train_noise": args.train_noise,
        "random_state": args.random_state,
        "sae_params": {k: v for k, v in sae.get_params().items() if k != "verbose"},
        "sae_n_iter": sae.n_iter_,
        "pca_n_components": int(pca.n_components_),
        "classifier": f"StandardScaler + LogisticRegression(max_iter="
        f"{args.clf_max_iter})",
        "models": rows,
        "versions": {
            "sparse_ae": __version__,
            "scikit_learn": sklearn_version,
            "torch": _torch_version(),
        },
    }
    table = _markdown_table(rows)
    files = _write_figures(out, sae, pca, split, X_test_noisy, say)
    results["files"] = ["results.json", "results.md", *files]
    results["total_time_s"] = time.perf_counter() - started
    (out / "results.json").write_text(
        json.dumps(_json_safe(results), indent=2) + "\n", encoding="utf-8"
    )
    (out / "results.md").write_text(_markdown_report(results, table), encoding="utf-8")

    print(table)
    say(
        f"Wrote {len(results['files'])} files to {out} in "
        f"{results['total_time_s']:.1f} s."
    )
    return 0


def _printer(quiet: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    return say


def _torch_version() -> str:
    import torch

    return torch.__version__


def _json_safe(value: Any) -> Any:
    """Make ``value`` strict JSON: numpy scalars to Python, non-finite to None."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


# -- the table -----------------------------------------------------------------

# Column title, row key, format.
_COLUMNS = (
    ("model", "model", "{}"),
    ("components", "n_components", "{}"),
    ("variance explained", "variance_explained", "{:.3f}"),
    ("SSE / sample", "reconstruction_error", "{:.3f}"),
    ("MSE", "reconstruction_mse", "{:.4f}"),
    ("denoised PSNR (dB)", "denoising_psnr", "{:.2f}"),
    ("accuracy", "accuracy", "{:.3f}"),
    ("active units", "active_fraction", "{:.3f}"),
    ("dead units", "dead_fraction", "{:.3f}"),
    ("fit time (s)", "fit_time_s", "{:.2f}"),
)


def _markdown_table(rows: list[dict[str, Any]]) -> str:
    cells = [[title for title, _, _ in _COLUMNS]]
    for row in rows:
        line = []
        for _, key, fmt in _COLUMNS:
            value = row.get(key)
            line.append("-" if value is None or value != value else fmt.format(value))
        cells.append(line)
    widths = [max(len(r[i]) for r in cells) for i in range(len(_COLUMNS))]

    def render(line: list[str]) -> str:
        return (
            "| "
            + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True))
            + " |"
        )

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(cells[0]), rule, *(render(r) for r in cells[1:])])


def _markdown_report(results: dict[str, Any], table: str) -> str:
    sae = results["sae_params"]
    train_noise = (
        f"trained as a denoising autoencoder ({results['noise']}, level "
        f"{results['noise_level']})"
        if sae["noise"] is not None
        else "trained on clean images"
    )
    return f"""# SparseAutoencoder vs PCA on {results["dataset"]}

Command: `{results["command"]}`

- Data: {results["n_train"]} training and {results["n_test"]} held-out images of \
{results["n_features"]} pixels ({results["split"]}).
- All figures are measured on the held-out images.
- SparseAutoencoder: {sae["n_components"]} units, sparsity={sae["sparsity"]!r}, \
{results["sae_n_iter"]} epochs, {train_noise}. PCA: \
{results["pca_n_components"]} components.
- Denoised PSNR: reconstruction of the held-out images corrupted with \
{results["noise"]} noise (level {results["noise_level"]}) compared with the clean \
ones; the raw pixels' figure is the PSNR of the noisy input itself.
- Accuracy: {results["classifier"]} trained on each representation of the \
training images.
- Active units: mean fraction of code units above the activity threshold per \
sample (0.5 for the sigmoid codes of sparsity='kl', else non-zero); dead units: \
fraction active on no held-out sample.
- Fit time: wall-clock seconds of `fit` on this machine.

{table}
"""


# -- figures -------------------------------------------------------------------


def _write_figures(
    out: Path,
    sae: Any,
    pca: Any,
    split: _Split,
    X_test_noisy: np.ndarray,
    say: Callable[[str], None],
) -> list[str]:
    """Draw the figures into ``out``; return their file names."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print(
            "Skipping the figures: matplotlib is not installed "
            "(pip install sparse-ae[plot]).",
            file=sys.stderr,
        )
        return []
    from .plotting import (
        ComponentsDisplay,
        LossCurveDisplay,
        ReconstructionDisplay,
        SparsityDisplay,
    )

    # One sample of each class makes the image rows easy to read.
    _, first = np.unique(split.y_test, return_index=True)
    shown = first[:_N_IMAGES_SHOWN] if len(first) > 1 else np.arange(_N_IMAGES_SHOWN)
    X_shown, X_noisy_shown = split.X_test[shown], X_test_noisy[shown]
    n_shown = len(X_shown)
    models = {"SAE": sae, "PCA": pca}

    # Figures are made without pyplot: no backend, no global state to close.
    figures = {}
    for name, model in models.items():
        n_tiles = min(64, model.components_.shape[0])
        side = math.ceil(math.sqrt(n_tiles))
        fig = Figure(figsize=(1.1 * side, 1.1 * side + 0.4), layout="constrained")
        ComponentsDisplay.from_estimator(model, max_components=64, ax=fig.add_subplot())
        figures[f"components_{name.lower()}.png"] = fig
    for file, X_noisy in (
        ("reconstructions.png", None),
        ("denoising.png", X_noisy_shown),
    ):
        n_rows = 1 + (X_noisy is not None) + len(models)
        fig = Figure(figsize=(1.1 * n_shown + 1.2, 1.1 * n_rows), layout="constrained")
        ReconstructionDisplay.from_estimators(
            X_shown, models, X_noisy=X_noisy, n_images=n_shown, ax=fig.add_subplot()
        )
        figures[file] = fig
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    SparsityDisplay.from_estimator(sae, split.X_test, ax=fig.add_subplot())
    figures["sparsity.png"] = fig
    fig = Figure(figsize=(5.5, 3.8), layout="constrained")
    LossCurveDisplay.from_estimator(sae, ax=fig.add_subplot())
    figures["loss_curve.png"] = fig

    for file, fig in figures.items():
        fig.savefig(out / file, dpi=100)
    say(f"Saved {len(figures)} figures.")
    return list(figures)
