import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8x8 digits scaled to [0, 1]: (X float32, y)."""
    data = load_digits()
    return (data.data / 16.0).astype(np.float32), data.target


@pytest.fixture(scope="session")
def small_digits(digits):
    """The first 300 digits, for tests that fit many models."""
    X, y = digits
    return X[:300], y[:300]
