"""Specification of ``sparse_ae.datasets``: the IDX reader and the loaders.

Every file is built here, in a temporary folder; nothing is downloaded and no
folder outside the test's own is read.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import sparse_ae.datasets._loaders as loaders
from sparse_ae.datasets import load_digits, load_fashion_mnist, load_mnist, read_idx

# The IDX type codes, written out from the format's description.
TYPE_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode ``array`` as IDX: magic, big-endian sizes, big-endian items."""
    magic = bytes([0, 0, TYPE_CODES[array.dtype], array.ndim])
    sizes = np.asarray(array.shape, dtype=">u4").tobytes()
    items = array.astype(array.dtype.newbyteorder(">")).tobytes()
    return magic + sizes + items


def raw_header(type_code: int, *sizes: int) -> bytes:
    """An IDX header with arbitrary (possibly invalid) fields."""
    return bytes([0, 0, type_code, len(sizes)]) + b"".join(
        size.to_bytes(4, "big") for size in sizes
    )


def write(path: Path, content: bytes, *, gzipped: bool = False) -> Path:
    path.write_bytes(gzip.compress(content) if gzipped else content)
    return path


def idx_error(path: Path) -> str:
    """Read ``path`` expecting a ValueError that names the file; the message."""
    with pytest.raises(ValueError, match=re.escape(str(path))) as info:
        read_idx(path)
    return str(info.value)


# --------------------------------------------------------------------------
# read_idx: valid files


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_read_idx_round_trips_ubyte_images(tmp_path, gzipped):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 10
    path = write(tmp_path / "images", idx_bytes(images), gzipped=gzipped)

    result = read_idx(path)

    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, images)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_read_idx_round_trips_ubyte_labels(tmp_path, gzipped):
    labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    path = write(tmp_path / "labels", idx_bytes(labels), gzipped=gzipped)

    np.testing.assert_array_equal(read_idx(path), labels)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_read_idx_returns_native_endian_values_of_wider_types(tmp_path, dtype):
    array = np.array([[-3, 0, 1], [2, 100, -100]], dtype=dtype)
    path = write(tmp_path / "array", idx_bytes(array))

    result = read_idx(path)

    assert result.dtype == np.dtype(dtype)
    assert result.dtype.isnative
    np.testing.assert_array_equal(result, array)


def test_read_idx_decodes_big_endian_byte_order(tmp_path):
    path = write(tmp_path / "int32", raw_header(0x0C, 1) + bytes([0, 0, 1, 2]))

    assert read_idx(path).tolist() == [258]


def test_read_idx_detects_gzip_without_gz_suffix(tmp_path):
    labels = np.array([1, 2, 3], dtype=np.uint8)
    path = write(tmp_path / "labels-idx1-ubyte", idx_bytes(labels), gzipped=True)

    np.testing.assert_array_equal(read_idx(path), labels)


def test_read_idx_reads_plain_file_despite_gz_suffix(tmp_path):
    labels = np.array([1, 2, 3], dtype=np.uint8)
    path = write(tmp_path / "labels-idx1-ubyte.gz", idx_bytes(labels))

    np.testing.assert_array_equal(read_idx(path), labels)


def test_read_idx_accepts_a_zero_length_dimension(tmp_path):
    path = write(tmp_path / "empty", raw_header(0x08, 0, 28, 28))

    assert read_idx(path).shape == (0, 28, 28)


@settings(max_examples=60, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(list(TYPE_CODES)),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4),
    ),
    gzipped=st.booleans(),
)
def test_read_idx_reads_back_any_small_array_bit_for_bit(array, gzipped):
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / "array", idx_bytes(array), gzipped=gzipped)
        result = read_idx(path)

    assert result.dtype == array.dtype
    assert result.shape == array.shape
    # Bytes, not values: NaN payloads and signed zeros must survive too.
    assert result.tobytes() == array.tobytes()


# --------------------------------------------------------------------------
# read_idx: invalid files


def test_read_idx_rejects_magic_not_starting_with_two_zero_bytes(tmp_path):
    path = write(tmp_path / "bad", b"\x01\x00\x08\x01" + bytes(5))

    assert "two zero bytes" in idx_error(path)


def test_read_idx_rejects_unknown_type_code(tmp_path):
    path = write(tmp_path / "bad", raw_header(0x0A, 3) + bytes(3))

    assert "0x0A" in idx_error(path)


@pytest.mark.parametrize("ndim", [0, 9, 255])
def test_read_idx_rejects_unreasonable_number_of_dimensions(tmp_path, ndim):
    path = write(tmp_path / "bad", bytes([0, 0, 0x08, ndim]) + bytes(4 * ndim))

    assert f"{ndim} dimensions" in idx_error(path)


def test_read_idx_rejects_file_shorter_than_the_magic_number(tmp_path):
    path = write(tmp_path / "bad", b"\x00\x00")

    assert "magic number" in idx_error(path)


def test_read_idx_rejects_truncated_dimension_sizes(tmp_path):
    path = write(tmp_path / "bad", bytes([0, 0, 0x08, 3]) + (5).to_bytes(4, "big"))

    assert "header is truncated" in idx_error(path)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_read_idx_rejects_truncated_payload(tmp_path, gzipped):
    images = np.ones((2, 3, 3), dtype=np.uint8)
    content = idx_bytes(images)[:-1]
    path = write(tmp_path / "images", content, gzipped=gzipped)

    assert "truncated payload of 17 bytes; expected 18" in idx_error(path)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_read_idx_rejects_trailing_bytes(tmp_path, gzipped):
    content = idx_bytes(np.ones(4, dtype=np.uint8)) + b"\x00"
    path = write(tmp_path / "labels", content, gzipped=gzipped)

    assert "trailing bytes" in idx_error(path)


@pytest.mark.parametrize(
    ("sizes", "announced_bytes"), [((2, 2, 2), 32), ((2,), 8), ((11,), 44)]
)
def test_read_idx_rejects_header_shape_disagreeing_with_payload(
    tmp_path, sizes, announced_bytes
):
    # The 12-byte payload fits a (3,) int32 array, not the declared shapes.
    path = write(tmp_path / "bad", raw_header(0x0C, *sizes) + bytes(12))

    assert re.search(rf"\b{announced_bytes}[- ]byte", idx_error(path))


def test_read_idx_refuses_absurd_sizes_without_allocating(tmp_path):
    path = write(tmp_path / "huge", raw_header(0x08, 2**31, 2**31, 2**31))

    tracemalloc.start()
    try:
        message = idx_error(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "expected at most" in message
    assert peak < 2**20


def test_read_idx_stops_reading_a_gzip_stream_longer_than_announced(tmp_path):
    # A gzip bomb: 16 bytes of announced payload, 32 MiB once decompressed.
    bomb = gzip.compress(raw_header(0x08, 16) + bytes(2**25), compresslevel=1)
    path = write(tmp_path / "bomb", bomb)

    tracemalloc.start()
    try:
        message = idx_error(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "trailing bytes" in message
    assert peak < 2**23


@pytest.mark.parametrize("damage", ["flipped bytes", "cut short"])
def test_read_idx_turns_a_corrupt_gzip_stream_into_value_error(tmp_path, damage):
    stream = bytearray(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8))))
    if damage == "flipped bytes":
        stream[12:-8] = bytes(byte ^ 0xFF for byte in stream[12:-8])
    else:
        del stream[len(stream) // 2 :]
    path = write(tmp_path / "labels.gz", bytes(stream))

    assert "gzip stream is corrupt" in idx_error(path)


# --------------------------------------------------------------------------
# Loaders: fixtures

TRAIN_LABELS = [0, 1, 2, 3, 4]
TEST_LABELS = [7, 8, 9]


def fake_images(n_images: int, first_value: int) -> np.ndarray:
    """``n_images`` 2 x 3 images; image i is filled with ``first_value + i``."""
    values = np.arange(first_value, first_value + n_images, dtype=np.uint8)
    return np.repeat(values, 6).reshape(n_images, 2, 3)


def write_pair(folder: Path, prefix: str, images, labels, *, gzipped=False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gzipped else ""
    write(
        folder / f"{prefix}-images-idx3-ubyte{suffix}",
        idx_bytes(np.asarray(images, dtype=np.uint8)),
        gzipped=gzipped,
    )
    write(
        folder / f"{prefix}-labels-idx1-ubyte{suffix}",
        idx_bytes(np.asarray(labels, dtype=np.uint8)),
        gzipped=gzipped,
    )


def write_fake_mnist(folder: Path) -> Path:
    """5 gzipped training and 3 plain test images, pixel values 0..4, 253..255."""
    write_pair(folder, "train", fake_images(5, 0), TRAIN_LABELS, gzipped=True)
    write_pair(folder, "t10k", fake_images(3, 253), TEST_LABELS)
    return folder


@pytest.fixture(autouse=True)
def isolated_search_path(tmp_path, monkeypatch):
    """Point every default folder into tmp_path and forbid real downloads."""
    monkeypatch.delenv("SPARSE_AE_DATA", raising=False)
    monkeypatch.setattr(loaders, "_CACHE_ROOT", tmp_path / "cache")
    monkeypatch.setattr(loaders, "_DEBIAN_FASHION_MNIST_DIR", tmp_path / "debian")

    def no_network(*args, **kwargs):
        pytest.fail("a test tried to download from OpenML")

    monkeypatch.setattr(loaders, "_fetch_openml", no_network)


@pytest.fixture
def mnist_dir(tmp_path) -> Path:
    return write_fake_mnist(tmp_path / "mnist")


@pytest.fixture
def fake_openml(monkeypatch):
    """Replace the OpenML fetch by 5 rows of 784 pixels, the last 2 the test set.

    Row i is filled with 51 * i and labelled str(i), as OpenML returns labels.
    Records the names asked for.
    """
    monkeypatch.setattr(loaders, "_OPENML_N_TEST", 2)
    requested = []

    def fetch(name, **kwargs):
        requested.append(name)
        X = np.repeat(np.arange(5.0) * 51, 784).reshape(5, 784)
        y = np.array([str(i) for i in range(5)], dtype=object)
        return X, y

    monkeypatch.setattr(loaders, "_fetch_openml", fetch)
    return requested


def offline(monkeypatch) -> OSError:
    error = OSError("network is unreachable")

    def fetch(name, **kwargs):
        raise error

    monkeypatch.setattr(loaders, "_fetch_openml", fetch)
    return error


# --------------------------------------------------------------------------
# load_digits


def test_load_digits_returns_unit_scaled_float32_images_and_int64_labels():
    X, y = load_digits()

    assert X.shape == (1797, 64)
    assert X.dtype == np.float32
    assert y.dtype == np.int64
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert set(y.tolist()) == set(range(10))


# --------------------------------------------------------------------------
# load_mnist: local files


def test_load_mnist_train_subset_reads_the_train_files(mnist_dir):
    X, y = load_mnist(mnist_dir, subset="train")

    assert X.shape == (5, 6)
    assert y.tolist() == TRAIN_LABELS


def test_load_mnist_defaults_to_the_train_subset(mnist_dir):
    X, _ = load_mnist(mnist_dir)

    assert len(X) == len(TRAIN_LABELS)


def test_load_mnist_test_subset_reads_the_t10k_files(mnist_dir):
    X, y = load_mnist(mnist_dir, subset="test")

    assert X.shape == (3, 6)
    assert y.tolist() == TEST_LABELS


def test_load_mnist_all_subset_is_train_followed_by_test(mnist_dir):
    X, y = load_mnist(mnist_dir, subset="all")

    assert X.shape == (8, 6)
    assert y.tolist() == TRAIN_LABELS + TEST_LABELS


def test_load_mnist_returns_float32_pixels_divided_by_255(mnist_dir):
    X, y = load_mnist(mnist_dir, subset="all")

    assert X.dtype == np.float32
    assert y.dtype == np.int64
    assert X.min() == 0.0
    assert X.max() == 1.0
    np.testing.assert_allclose(X[:, 0], np.array([0, 1, 2, 3, 4, 253, 254, 255]) / 255)


def test_load_mnist_test_subset_needs_only_the_t10k_files(tmp_path):
    write_pair(tmp_path / "only-test", "t10k", fake_images(3, 0), TEST_LABELS)

    _, y = load_mnist(tmp_path / "only-test", subset="test")

    assert y.tolist() == TEST_LABELS


def test_load_mnist_accepts_a_string_data_dir(mnist_dir):
    _, y = load_mnist(str(mnist_dir), subset="test")

    assert y.tolist() == TEST_LABELS


def test_load_mnist_rejects_an_unknown_subset(mnist_dir):
    with pytest.raises(ValueError, match=r"subset='validation'.*'train', 'test'"):
        load_mnist(mnist_dir, subset="validation")


def test_load_mnist_rejects_image_and_label_counts_that_differ(tmp_path):
    write_pair(tmp_path, "t10k", fake_images(3, 0), [1, 2])

    with pytest.raises(ValueError, match=r"3 images and 2 labels"):
        load_mnist(tmp_path, subset="test")


def test_load_mnist_rejects_images_that_are_not_3d(tmp_path):
    write_pair(tmp_path, "t10k", np.zeros((3, 6)), TEST_LABELS)

    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.*\(n_images, rows"):
        load_mnist(tmp_path, subset="test")


def test_load_mnist_rejects_an_empty_data_set(tmp_path):
    write_pair(tmp_path, "t10k", np.zeros((0, 2, 3)), [])

    with pytest.raises(ValueError, match=r"no images"):
        load_mnist(tmp_path, subset="test")


def test_load_mnist_rejects_train_and_test_images_of_different_sizes(tmp_path):
    write_pair(tmp_path, "train", np.zeros((2, 2, 3)), [0, 1])
    write_pair(tmp_path, "t10k", np.zeros((2, 3, 3)), [0, 1])

    with pytest.raises(ValueError, match=r"same image size"):
        load_mnist(tmp_path, subset="all")


# --------------------------------------------------------------------------
# load_mnist: where it looks


def test_load_mnist_finds_the_mnist_subfolder_of_sparse_ae_data(tmp_path, monkeypatch):
    write_fake_mnist(tmp_path / "data" / "mnist")
    monkeypatch.setenv("SPARSE_AE_DATA", str(tmp_path / "data"))

    _, y = load_mnist(subset="test")

    assert y.tolist() == TEST_LABELS


def test_load_mnist_finds_files_directly_in_sparse_ae_data(tmp_path, monkeypatch):
    write_fake_mnist(tmp_path / "data")
    monkeypatch.setenv("SPARSE_AE_DATA", str(tmp_path / "data"))

    _, y = load_mnist(subset="test")

    assert y.tolist() == TEST_LABELS


def test_load_mnist_finds_the_default_cache_folder(tmp_path):
    write_fake_mnist(tmp_path / "cache" / "mnist")

    _, y = load_mnist(subset="test")

    assert y.tolist() == TEST_LABELS


def test_load_mnist_prefers_sparse_ae_data_over_the_cache(tmp_path, monkeypatch):
    write_pair(tmp_path / "cache" / "mnist", "t10k", fake_images(1, 0), [1])
    write_pair(tmp_path / "data", "t10k", fake_images(1, 0), [2])
    monkeypatch.setenv("SPARSE_AE_DATA", str(tmp_path / "data"))

    _, y = load_mnist(subset="test")

    assert y.tolist() == [2]


def test_load_mnist_skips_a_folder_missing_part_of_the_subset(tmp_path, monkeypatch):
    # The env folder has only the test pair; "all" must come from the cache.
    write_pair(tmp_path / "data", "t10k", fake_images(3, 0), TEST_LABELS)
    write_fake_mnist(tmp_path / "cache" / "mnist")
    monkeypatch.setenv("SPARSE_AE_DATA", str(tmp_path / "data"))

    X, _ = load_mnist(subset="all")

    assert len(X) == len(TRAIN_LABELS) + len(TEST_LABELS)


def test_load_mnist_without_download_lists_folders_and_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARSE_AE_DATA", str(tmp_path / "data"))

    with pytest.raises(FileNotFoundError) as info:
        load_mnist(download=False)

    message = str(info.value)
    for expected in [
        str(tmp_path / "data" / "mnist"),
        str(tmp_path / "data"),
        str(tmp_path / "cache" / "mnist"),
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "download=False",
        "data_dir=",
        "SPARSE_AE_DATA",
    ]:
        assert expected in message


def test_load_mnist_with_a_data_dir_lacking_files_never_downloads(tmp_path):
    # The autouse fixture fails the test if the download is attempted.
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "empty"))):
        load_mnist(tmp_path / "empty", subset="test")


# --------------------------------------------------------------------------
# load_mnist: OpenML fallback


@pytest.mark.parametrize(
    ("subset", "expected_labels"),
    [("train", [0, 1, 2]), ("test", [3, 4]), ("all", [0, 1, 2, 3, 4])],
)
def test_load_mnist_splits_openml_rows_into_train_then_test(
    fake_openml, subset, expected_labels
):
    X, y = load_mnist(subset=subset)

    assert y.dtype == np.int64
    assert y.tolist() == expected_labels
    assert X.shape == (len(expected_labels), 784)
    assert X.dtype == np.float32
    np.testing.assert_allclose(X[:, 0], np.array(expected_labels) * 51 / 255)


def test_load_mnist_fetches_mnist_784_from_openml(fake_openml):
    load_mnist()

    assert fake_openml == ["mnist_784"]


def test_load_mnist_prefers_local_files_over_openml(tmp_path, fake_openml):
    write_fake_mnist(tmp_path / "cache" / "mnist")

    load_mnist()

    assert fake_openml == []


def test_load_mnist_failed_download_says_where_files_were_expected(
    tmp_path, monkeypatch
):
    error = offline(monkeypatch)

    with pytest.raises(FileNotFoundError) as info:
        load_mnist()

    message = str(info.value)
    assert "network is unreachable" in message
    assert str(tmp_path / "cache" / "mnist") in message
    assert "train-images-idx3-ubyte" in message
    assert info.value.__cause__ is error


def test_load_mnist_refuses_openml_data_of_unexpected_shape(monkeypatch):
    monkeypatch.setattr(
        loaders, "_fetch_openml", lambda name, **kwargs: (np.zeros((5, 10)), [0] * 5)
    )

    with pytest.raises(ValueError, match=r"'mnist_784'.*\(5, 10\)"):
        load_mnist()


# --------------------------------------------------------------------------
# load_fashion_mnist


def test_load_fashion_mnist_finds_the_debian_package_folder(tmp_path):
    write_fake_mnist(tmp_path / "debian")

    _, y = load_fashion_mnist(subset="all")

    assert y.tolist() == TRAIN_LABELS + TEST_LABELS


def test_load_fashion_mnist_finds_its_own_sparse_ae_data_subfolder(
    tmp_path, monkeypatch
):
    write_fake_mnist(tmp_path / "data" / "fashion-mnist")
    write_pair(tmp_path / "data" / "mnist", "train", fake_images(1, 0), [9])
    monkeypatch.setenv("SPARSE_AE_DATA", str(tmp_path / "data"))

    _, y = load_fashion_mnist()

    assert y.tolist() == TRAIN_LABELS


def test_load_fashion_mnist_lists_the_debian_folder_when_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "debian"))):
        load_fashion_mnist(download=False)


def test_load_fashion_mnist_fetches_fashion_mnist_from_openml(fake_openml):
    _, y = load_fashion_mnist(subset="test")

    assert fake_openml == ["Fashion-MNIST"]
    assert y.tolist() == [3, 4]
