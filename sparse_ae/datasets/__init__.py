"""Data sets for examples and benchmarks, and a reader for IDX files.

:func:`load_digits` ships with scikit-learn and needs nothing else;
:func:`load_mnist` and :func:`load_fashion_mnist` read the standard IDX files
from a local folder, or download the data from OpenML.
"""

from ._idx import read_idx
from ._loaders import load_digits, load_fashion_mnist, load_mnist

__all__ = ["load_digits", "load_fashion_mnist", "load_mnist", "read_idx"]
