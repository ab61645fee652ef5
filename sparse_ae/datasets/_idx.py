"""Reader for the IDX format used by MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number, one big-endian unsigned 32-bit size per
dimension, then the items in C order, big-endian. The magic number is two zero
bytes, a type code and the number of dimensions.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from typing import BinaryIO

import numpy as np

__all__ = ["read_idx"]

# Type code (third byte of the magic number) -> big-endian item dtype.
_TYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# Real IDX files have 1 to 4 dimensions; anything far beyond is a corrupt
# header, and the cap keeps the header read itself small.
_MAX_NDIM = 8

# The header alone decides how much memory we commit to, so a corrupt or
# hostile header must not be able to ask for terabytes. 16 GiB is far above
# any published IDX data set (full MNIST is 55 MB, EMNIST under 1 GB).
_MAX_PAYLOAD_BYTES = 2**34

# Payloads are read in chunks so that memory follows the bytes that really
# arrive, not the size a header claims.
_CHUNK_BYTES = 2**20

_GZIP_MAGIC = b"\x1f\x8b"

# What a damaged gzip stream raises while being decompressed.
_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file, plain or gzipped, into a NumPy array.

    Gzip compression is recognised from the file's first bytes, so the name
    does not need to end in ``.gz``. The header is fully checked before the
    data are read: the magic number, the number of dimensions (1 to 8), the
    total size (at most 16 GiB) and, at the end, that the payload has exactly
    the length the header announces. Gzipped payloads are decompressed in
    bounded chunks, so a lying header or a gzip bomb cannot exhaust memory.

    Parameters
    ----------
    path : str or os.PathLike
        The IDX file to read.

    Returns
    -------
    array : ndarray
        The items with the shape given by the header and the native-endian
        version of the stored type: ``uint8``, ``int8``, ``int16``, ``int32``,
        ``float32`` or ``float64``. A dimension of size 0 is legal IDX and
        gives an empty array.

    Raises
    ------
    ValueError
        If the file is not valid IDX: bad magic number, unknown type code,
        too many dimensions, an absurd size, a truncated payload, trailing
        bytes or a corrupt gzip stream. The message names the file.
    OSError
        If the file cannot be opened.

    Examples
    --------
    Write a 2 x 3 array of unsigned bytes by hand and read it back:

    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "tiny-idx2-ubyte"
    >>> magic = bytes([0, 0, 0x08, 2])  # ubyte items, 2 dimensions
    >>> sizes = (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    >>> _ = path.write_bytes(magic + sizes + bytes([0, 1, 2, 3, 4, 255]))
    >>> read_idx(path)
    array([[  0,   1,   2],
           [  3,   4, 255]], dtype=uint8)
    >>> tmp.cleanup()
    """
    with open(path, "rb") as raw:
        if raw.read(2) == _GZIP_MAGIC:
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                try:
                    return _read_idx_stream(stream, path)
                except _GZIP_ERRORS as exc:
                    raise ValueError(
                        f"IDX file {os.fspath(path)!r}: the gzip stream is "
                        f"corrupt ({exc}); expected a complete gzip file"
                    ) from exc
        raw.seek(0)
        return _read_idx_stream(raw, path)


def _read_idx_stream(stream: BinaryIO, path: str | os.PathLike[str]) -> np.ndarray:
    """Parse and check the header, then read exactly the announced payload."""
    where = f"IDX file {os.fspath(path)!r}"

    magic = _read_exactly(stream, 4)
    if len(magic) < 4:
        raise ValueError(
            f"{where}: only {len(magic)} bytes; expected at least a 4-byte magic number"
        )
    zero0, zero1, type_code, ndim = magic
    if zero0 != 0 or zero1 != 0:
        raise ValueError(
            f"{where}: magic number {magic.hex()} does not start with two zero "
            f"bytes; expected an IDX file (e.g. 00000803 for ubyte images)"
        )
    if type_code not in _TYPE_CODES:
        known = ", ".join(f"0x{code:02X}" for code in _TYPE_CODES)
        raise ValueError(
            f"{where}: unknown type code 0x{type_code:02X} in the magic number; "
            f"expected one of {known}"
        )
    if not 1 <= ndim <= _MAX_NDIM:
        raise ValueError(
            f"{where}: header declares {ndim} dimensions; expected 1 to {_MAX_NDIM}"
        )

    raw_shape = _read_exactly(stream, 4 * ndim)
    if len(raw_shape) < 4 * ndim:
        raise ValueError(
            f"{where}: header is truncated after {4 + len(raw_shape)} bytes; "
            f"expected {4 + 4 * ndim} bytes for {ndim} dimension sizes"
        )
    shape = tuple(int(size) for size in np.frombuffer(raw_shape, dtype=">u4"))
    dtype = _TYPE_CODES[type_code]
    # Python integers: the product of three 2**31 sizes must not wrap around.
    expected = math.prod(shape) * dtype.itemsize
    if expected > _MAX_PAYLOAD_BYTES:
        raise ValueError(
            f"{where}: header shape {shape} of {dtype.name} items needs "
            f"{expected} bytes; expected at most {_MAX_PAYLOAD_BYTES} bytes"
        )

    # One byte more than announced is enough to detect trailing data without
    # ever reading an unbounded stream.
    payload = _read_exactly(stream, expected + 1)
    if len(payload) < expected:
        raise ValueError(
            f"{where}: truncated payload of {len(payload)} bytes; expected "
            f"{expected} bytes for shape {shape} of {dtype.name} items"
        )
    if len(payload) > expected:
        raise ValueError(
            f"{where}: trailing bytes after the {expected}-byte payload for "
            f"shape {shape}; expected the file to end there"
        )
    array = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _read_exactly(stream: BinaryIO, n_bytes: int) -> bytearray:
    """Read up to ``n_bytes``, fewer only at end of stream, in bounded chunks."""
    buffer = bytearray()
    while len(buffer) < n_bytes:
        chunk = stream.read(min(_CHUNK_BYTES, n_bytes - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer
