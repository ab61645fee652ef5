"""Loaders for the image data sets the examples and benchmarks use.

Every loader returns ``(X, y)``: ``X`` a float32 matrix with one flattened image
per row and values in [0, 1], ``y`` the int64 class labels.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.datasets import fetch_openml
from sklearn.datasets import load_digits as _sklearn_load_digits

from ._idx import read_idx

__all__ = ["load_digits", "load_fashion_mnist", "load_mnist"]

_ENV_VAR = "SPARSE_AE_DATA"

# Default per-user folder, one subfolder per data set; read at call time so
# that a changed HOME is honoured.
_CACHE_ROOT = Path("~/.cache/sparse-ae")

# Where Debian's ``dataset-fashion-mnist`` package installs the four gzipped
# IDX files (flat, standard names).
_DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

# OpenML stores each data set as one table of 70,000 rows: the 60,000 training
# images first, then the 10,000 test images.
_OPENML_N_TEST = 10_000
_OPENML_N_PIXELS = 28 * 28

# Module-level reference so that tests can replace the download.
_fetch_openml = fetch_openml

# Subset -> prefixes of the IDX file pairs it is made of, in order.
_SUBSET_PREFIXES: dict[str, tuple[str, ...]] = {
    "train": ("train",),
    "test": ("t10k",),
    "all": ("train", "t10k"),
}
# Each prefix names a pair "<prefix>-images-idx3-ubyte", "<prefix>-labels-...".
_IMAGES_SUFFIX = "images-idx3-ubyte"
_LABELS_SUFFIX = "labels-idx1-ubyte"


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Load scikit-learn's 8 x 8 handwritten digits, scaled to [0, 1].

    The 1,797 images ship with scikit-learn, so this loader never touches the
    network or the disk outside the installed packages. It is the project's
    default data set for examples and quick experiments. Pixels, stored as
    integers from 0 to 16, are divided by 16.

    Returns
    -------
    X : ndarray of shape (1797, 64), dtype float32
        One flattened image per row, values in [0, 1].
    y : ndarray of shape (1797,), dtype int64
        The digit shown, 0 to 9.

    See Also
    --------
    load_mnist : The 70,000 28 x 28 MNIST digits.

    Examples
    --------
    >>> from sparse_ae.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.dtype
    ((1797, 64), dtype('float32'), dtype('int64'))
    >>> float(X.min()), float(X.max())
    (0.0, 1.0)
    >>> y[:5].tolist()
    [0, 1, 2, 3, 4]
    """
    X, y = _sklearn_load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y.astype(np.int64)


def load_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    subset: str = "train",
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the MNIST handwritten digits from IDX files, or from OpenML.

    The loader reads the four standard IDX files, each plain or gzipped
    (``.gz``)::

        train-images-idx3-ubyte   train-labels-idx1-ubyte   (60,000 images)
        t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte    (10,000 images)

    Only the pair a subset needs has to be present. With ``data_dir=None`` it
    searches, in this order, and uses the first folder holding every file the
    subset needs:

    1. ``$SPARSE_AE_DATA/mnist``, then ``$SPARSE_AE_DATA``, when the
       ``SPARSE_AE_DATA`` environment variable is set;
    2. the per-user cache folder ``~/.cache/sparse-ae/mnist``.

    If none has the files and ``download=True``, the data are fetched with
    :func:`sklearn.datasets.fetch_openml` (``"mnist_784"``, about 55 MB, kept
    in scikit-learn's own cache); the first 60,000 rows are the training set
    and the last 10,000 the test set.

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        Folder holding the IDX files. When given, only this folder is read
        and nothing is downloaded.
    subset : {"train", "test", "all"}, default="train"
        Which images to return. ``"all"`` is the training images followed by
        the test images.
    download : bool, default=True
        Whether to fetch the data from OpenML when no folder has the files.

    Returns
    -------
    X : ndarray of shape (n_samples, 784), dtype float32
        One flattened 28 x 28 image per row, pixels divided by 255.
    y : ndarray of shape (n_samples,), dtype int64
        The digit shown, 0 to 9.

    Raises
    ------
    FileNotFoundError
        If the files are in none of the folders searched and they could not
        (or were not allowed to) be downloaded. The message lists the folders
        and the file names expected.
    ValueError
        If ``subset`` is unknown, or a file is not valid IDX or does not fit
        its partner (image and label counts differ, images are not 3-D).

    See Also
    --------
    load_fashion_mnist : Same interface, Zalando's clothing images.
    read_idx : Read any single IDX file.

    Examples
    --------
    A folder with a test pair of two blank 28 x 28 images labelled 7 and 2:

    >>> import tempfile, pathlib
    >>> from sparse_ae.datasets import load_mnist
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(tmp.name)
    >>> images = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])
    >>> _ = (folder / "t10k-images-idx3-ubyte").write_bytes(images + bytes(2 * 784))
    >>> labels = bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 2])
    >>> _ = (folder / "t10k-labels-idx1-ubyte").write_bytes(labels)
    >>> X, y = load_mnist(folder, subset="test")
    >>> X.shape, X.dtype, y.tolist()
    ((2, 784), dtype('float32'), [7, 2])
    >>> tmp.cleanup()

    Typical use, with the files in ``~/.cache/sparse-ae/mnist`` or downloaded:

    >>> X_train, y_train = load_mnist()  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (60000, 784)
    """
    return _load_idx_dataset(
        name="mnist",
        title="MNIST",
        openml_name="mnist_784",
        system_folders=(),
        data_dir=data_dir,
        subset=subset,
        download=download,
    )


def load_fashion_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    subset: str = "train",
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load Zalando's Fashion-MNIST clothing images from IDX files, or OpenML.

    Same interface, file names and sizes as :func:`load_mnist`: 60,000
    training and 10,000 test 28 x 28 grey-scale images of ten kinds of
    clothing. With ``data_dir=None`` it searches, in this order:

    1. ``$SPARSE_AE_DATA/fashion-mnist``, then ``$SPARSE_AE_DATA``, when the
       ``SPARSE_AE_DATA`` environment variable is set;
    2. the per-user cache folder ``~/.cache/sparse-ae/fashion-mnist``;
    3. ``/usr/share/datasets/fashion-mnist``, where Debian's
       ``dataset-fashion-mnist`` package installs the gzipped files.

    and only then, if ``download=True``, fetches ``"Fashion-MNIST"`` from
    OpenML.

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        Folder holding the IDX files. When given, only this folder is read
        and nothing is downloaded.
    subset : {"train", "test", "all"}, default="train"
        Which images to return. ``"all"`` is the training images followed by
        the test images.
    download : bool, default=True
        Whether to fetch the data from OpenML when no folder has the files.

    Returns
    -------
    X : ndarray of shape (n_samples, 784), dtype float32
        One flattened 28 x 28 image per row, pixels divided by 255.
    y : ndarray of shape (n_samples,), dtype int64
        The kind of clothing, 0 (T-shirt/top) to 9 (ankle boot).

    Raises
    ------
    FileNotFoundError
        If the files are in none of the folders searched and they could not
        (or were not allowed to) be downloaded. The message lists the folders
        and the file names expected.
    ValueError
        If ``subset`` is unknown, or a file is not valid IDX or does not fit
        its partner.

    See Also
    --------
    load_mnist : Same interface, handwritten digits.

    Examples
    --------
    Gzipped files work as well; here one blank training image labelled 9:

    >>> import gzip, tempfile, pathlib
    >>> from sparse_ae.datasets import load_fashion_mnist
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(tmp.name)
    >>> images = bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28])
    >>> images_gz = gzip.compress(images + bytes(784))
    >>> _ = (folder / "train-images-idx3-ubyte.gz").write_bytes(images_gz)
    >>> labels_gz = gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 1, 9]))
    >>> _ = (folder / "train-labels-idx1-ubyte.gz").write_bytes(labels_gz)
    >>> X, y = load_fashion_mnist(folder)
    >>> X.shape, y.tolist()
    ((1, 784), [9])
    >>> tmp.cleanup()

    With Debian's package installed (``apt-get install dataset-fashion-mnist``):

    >>> X_test, y_test = load_fashion_mnist(subset="test")  # doctest: +SKIP
    >>> X_test.shape  # doctest: +SKIP
    (10000, 784)
    """
    return _load_idx_dataset(
        name="fashion-mnist",
        title="Fashion-MNIST",
        openml_name="Fashion-MNIST",
        system_folders=(_DEBIAN_FASHION_MNIST_DIR,),
        data_dir=data_dir,
        subset=subset,
        download=download,
    )


def _load_idx_dataset(
    *,
    name: str,
    title: str,
    openml_name: str,
    system_folders: tuple[Path, ...],
    data_dir: str | os.PathLike[str] | None,
    subset: str,
    download: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the IDX files of one data set and read them, else fetch from OpenML.

    ``name`` is the subfolder searched under ``$SPARSE_AE_DATA`` and the cache
    root; ``title`` is how messages spell the data set.
    """
    if subset not in _SUBSET_PREFIXES:
        expected = ", ".join(repr(option) for option in _SUBSET_PREFIXES)
        raise ValueError(f"subset={subset!r} is not valid; expected one of {expected}")
    prefixes = _SUBSET_PREFIXES[subset]

    if data_dir is not None:
        folders = [(Path(data_dir).expanduser(), "data_dir")]
    else:
        folders = _search_folders(name, system_folders)

    for folder, _ in folders:
        pairs = [_find_pair(folder, prefix) for prefix in prefixes]
        if all(pair is not None for pair in pairs):
            parts = [_read_pair(*pair) for pair in pairs]
            return _concatenate(parts)

    fetch_error: Exception | None = None
    if data_dir is None and download:
        try:
            X, y = _fetch_openml(
                openml_name, version=1, as_frame=False, return_X_y=True
            )
        # Any failure (offline, HTTP error, parser missing, ...) leaves the
        # caller in the same place: point them to the local files instead.
        except Exception as exc:  # noqa: BLE001
            fetch_error = exc
        else:
            return _split_openml(X, y, subset=subset, openml_name=openml_name)

    message = _missing_files_message(
        title=title,
        name=name,
        subset=subset,
        prefixes=prefixes,
        folders=folders,
        data_dir_given=data_dir is not None,
        download=download,
        openml_name=openml_name,
        fetch_error=fetch_error,
    )
    raise FileNotFoundError(message) from fetch_error


def _search_folders(
    name: str, system_folders: tuple[Path, ...]
) -> list[tuple[Path, str]]:
    """The folders to search when no ``data_dir`` is given, with their origin."""
    folders = []
    root = os.environ.get(_ENV_VAR)
    if root:
        root_path = Path(root).expanduser()
        folders.append((root_path / name, f"${_ENV_VAR}/{name}"))
        folders.append((root_path, f"${_ENV_VAR}"))
    folders.append((_CACHE_ROOT.expanduser() / name, "default cache folder"))
    folders.extend((folder, "system-wide install") for folder in system_folders)
    return folders


def _find_pair(folder: Path, prefix: str) -> tuple[Path, Path] | None:
    """The images and labels files for ``prefix`` in ``folder``, if both exist."""
    images = _find_file(folder, f"{prefix}-{_IMAGES_SUFFIX}")
    labels = _find_file(folder, f"{prefix}-{_LABELS_SUFFIX}")
    if images is None or labels is None:
        return None
    return images, labels


def _find_file(folder: Path, stem: str) -> Path | None:
    """``folder/stem`` or, failing that, ``folder/stem.gz``."""
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one images/labels pair and check that the two belong together."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"IDX file {str(images_path)!r} holds {images.dtype} items of shape "
            f"{images.shape}; expected unsigned bytes of shape (n_images, rows, "
            f"cols)"
        )
    if labels.ndim != 1:
        raise ValueError(
            f"IDX file {str(labels_path)!r} holds labels of shape {labels.shape}; "
            f"expected a 1-D array (n_labels,)"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"IDX files {str(images_path)!r} and {str(labels_path)!r} hold "
            f"{len(images)} images and {len(labels)} labels; expected the same "
            f"number"
        )
    if len(images) == 0:
        raise ValueError(
            f"IDX file {str(images_path)!r} holds no images; expected at least one"
        )
    # (n, rows, cols) -> (n, rows * cols): one flattened image per row.
    X = images.reshape(len(images), -1).astype(np.float32)
    X /= 255
    return X, labels.astype(np.int64)


def _concatenate(
    parts: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the parts of a subset, refusing images of different sizes."""
    if len(parts) == 1:
        return parts[0]
    n_pixels = {X.shape[1] for X, _ in parts}
    if len(n_pixels) > 1:
        raise ValueError(
            f"The training and test images have {sorted(n_pixels)} pixels; "
            f"expected the same image size in both to concatenate subset='all'"
        )
    return (
        np.concatenate([X for X, _ in parts]),
        np.concatenate([y for _, y in parts]),
    )


def _split_openml(
    X: np.ndarray, y: np.ndarray, *, subset: str, openml_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Cut OpenML's single table into the subset, converted like the IDX files."""
    X = np.asarray(X)
    y = np.asarray(y)
    if (
        X.ndim != 2
        or X.shape[1] != _OPENML_N_PIXELS
        or len(X) != len(y)
        or len(X) <= _OPENML_N_TEST
    ):
        raise ValueError(
            f"OpenML data set {openml_name!r} came with data of shape {X.shape} "
            f"and target of shape {y.shape}; expected more than "
            f"{_OPENML_N_TEST} rows of {_OPENML_N_PIXELS} pixels and one label "
            f"per row"
        )
    n_train = len(X) - _OPENML_N_TEST
    rows = {
        "train": slice(0, n_train),
        "test": slice(n_train, None),
        "all": slice(None),
    }[subset]
    X_subset = X[rows].astype(np.float32)
    X_subset /= 255
    # OpenML stores the class labels as strings ("0" to "9").
    return X_subset, y[rows].astype(np.int64)


def _missing_files_message(
    *,
    title: str,
    name: str,
    subset: str,
    prefixes: tuple[str, ...],
    folders: list[tuple[Path, str]],
    data_dir_given: bool,
    download: bool,
    openml_name: str,
    fetch_error: Exception | None,
) -> str:
    """Explain what was searched, what was expected and how to provide it."""
    files = [
        f"{prefix}-{suffix}"
        for prefix in prefixes
        for suffix in (_IMAGES_SUFFIX, _LABELS_SUFFIX)
    ]
    lines = [
        f"Could not find the {title} files for subset={subset!r}.",
        (
            f"Expected {', '.join(files)} (each plain or gzipped with a .gz "
            f"suffix), all in one of these folders:"
        ),
    ]
    lines += [f"  - {folder} ({origin})" for folder, origin in folders]
    if not data_dir_given and not os.environ.get(_ENV_VAR):
        lines.append(f"  ({_ENV_VAR} is not set.)")
    if fetch_error is not None:
        lines.append(
            f"Downloading {openml_name!r} from OpenML failed: "
            f"{type(fetch_error).__name__}: {fetch_error}"
        )
    elif data_dir_given:
        lines.append("Nothing is downloaded when data_dir is given.")
    elif not download:
        lines.append("Downloading from OpenML is disabled (download=False).")
    lines.append(
        f"Put the files in one of these folders, pass data_dir='/path/to/folder', "
        f"or set {_ENV_VAR} to a folder holding them (or a {name!r} subfolder)."
    )
    return "\n".join(lines)
