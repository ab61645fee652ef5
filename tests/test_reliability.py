"""What SparseAutoencoder does with bad input, bad settings, and failing training.

Every refusal is a ``ValueError`` or ``TypeError`` naming what was wrong; every
failed call leaves a previously fitted estimator exactly as it was.
"""

import itertools
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted

import sparse_ae
from sparse_ae import SparseAutoencoder
from sparse_ae._net import BatchIterator
from sparse_ae._nn import SparseAutoencoderLoss

pytestmark = [
    # Casting 1e300 to float32 warns on the way to the refusal tested below.
    pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning"),
    # The scale warning has tests of its own; elsewhere raw pixels are just
    # a way to make training diverge.
    pytest.mark.filterwarnings("ignore:X has values up to:UserWarning"),
]

SMALL = dict(n_components=3, max_iter=2, batch_size=10, random_state=0)

# Raw 0..255 pixels with a step size of 1e8 and a hidden layer: the loss
# overflows to inf within the first epoch (seeds 0 and 1 tried; the tests use 0).
# Raw pixels also draw fit's scale warning, tested on its own below.
DIVERGING = dict(
    n_components=16,
    hidden_layer_sizes=(32,),
    sparsity=None,
    learning_rate=1e8,
    max_iter=3,
    random_state=0,
)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((40, 5)).astype(np.float32)


@pytest.fixture(scope="module")
def fitted(X):
    """A fitted estimator that tests only read from."""
    return SparseAutoencoder(**SMALL).fit(X)


@pytest.fixture
def own_fitted(X):
    """A fitted estimator that a test may try to break."""
    return SparseAutoencoder(**SMALL).fit(X)


def _state(sae):
    return {k: v.clone() for k, v in sae.net_.module_.state_dict().items()}


def _assert_same_state(a, b):
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


# -- bad input to fit and transform --------------------------------------------


def _with(X, row, col, value):
    X = X.copy()
    X[row, col] = value
    return X


BAD_INPUTS = {
    "nan": (lambda X: _with(X, 3, 1, np.nan), ValueError, "NaN"),
    "inf": (lambda X: _with(X, 3, 1, np.inf), ValueError, "infinity"),
    "-inf": (lambda X: _with(X, 3, 1, -np.inf), ValueError, "infinity"),
    "beyond float32": (
        lambda X: _with(X.astype(np.float64), 0, 0, 1e300),
        ValueError,
        "too large",
    ),
    "no samples": (lambda X: X[:0], ValueError, "0 sample"),
    "1-d": (lambda X: X[0], ValueError, "Expected 2D array"),
    "3-d": (lambda X: X[:, :, None], ValueError, "dim 3"),
    "words": (
        lambda X: np.full(X.shape, "pixel"),
        ValueError,
        "could not convert string",
    ),
    "object strings": (
        lambda X: _with(X.astype(object), 0, 0, "a"),
        ValueError,
        "could not convert string",
    ),
    "complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "scipy sparse": (sp.csr_matrix, TypeError, r"toarray\(\)"),
}


@pytest.mark.parametrize(
    "make, error, match", BAD_INPUTS.values(), ids=list(BAD_INPUTS)
)
def test_fit_refuses_bad_input(X, make, error, match):
    with pytest.raises(error, match=match):
        SparseAutoencoder(**SMALL).fit(make(X))


@pytest.mark.parametrize(
    "make, error, match", BAD_INPUTS.values(), ids=list(BAD_INPUTS)
)
def test_transform_refuses_bad_input(fitted, X, make, error, match):
    with pytest.raises(error, match=match):
        fitted.transform(make(X))


def test_fit_refuses_zero_features():
    with pytest.raises(ValueError, match="0 feature"):
        SparseAutoencoder(**SMALL).fit(np.empty((10, 0)))


def test_transform_refuses_zero_features(fitted):
    with pytest.raises(ValueError, match="0 feature"):
        fitted.transform(np.empty((10, 0)))


def test_object_array_of_numbers_is_accepted_as_numbers(fitted, X):
    np.testing.assert_array_equal(
        fitted.transform(X.astype(object)), fitted.transform(X)
    )


def test_fit_on_a_single_sample_gives_a_usable_model(X):
    sae = SparseAutoencoder(**SMALL).fit(X[:1])
    codes = sae.transform(X[:1])
    assert codes.shape == (1, 3)
    assert np.isfinite(codes).all()
    assert np.isfinite(sae.inverse_transform(codes)).all()


def test_single_sample_with_early_stopping_is_refused(X):
    sae = SparseAutoencoder(**SMALL, early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping=True needs at least 2"):
        sae.fit(X[:1])


def test_transform_of_a_single_sample_equals_its_row_in_a_batch(fitted, X):
    np.testing.assert_allclose(
        fitted.transform(X[4:5])[0], fitted.transform(X)[4], rtol=1e-6, atol=1e-7
    )


@pytest.fixture
def small_blocks(monkeypatch):
    """Inference in blocks of 10 rows (the fixture data have 5 features)."""
    monkeypatch.setattr(sparse_ae._estimator, "_CPU_INFERENCE_VALUES", 50)


def test_inference_in_blocks_equals_one_pass(fitted, X, monkeypatch):
    codes, rec = fitted.transform(X), fitted.inverse_transform(fitted.transform(X))
    monkeypatch.setattr(sparse_ae._estimator, "_CPU_INFERENCE_VALUES", 50)
    assert len(fitted._chunks(len(X))) == 4
    np.testing.assert_array_equal(fitted.transform(X), codes)
    np.testing.assert_array_equal(fitted.inverse_transform(codes), rec)


@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_value_in_a_later_block_is_refused(
    fitted, X, small_blocks, value, match
):
    with pytest.raises(ValueError, match=f"Input X contains {match}"):
        fitted.transform(_with(X, 35, 2, value))
    codes = fitted.transform(X)
    codes[35, 0] = value
    with pytest.raises(ValueError, match=f"Input X contains {match}"):
        fitted.inverse_transform(codes)


def test_finite_block_whose_sum_overflows_is_accepted(fitted, X, small_blocks):
    # float32 sums to inf here: the block is checked value by value instead.
    huge = _with(_with(X, 21, 0, 3e38), 22, 0, 3e38)
    with np.errstate(over="ignore"):
        assert np.isinf(huge[20:30].sum(dtype=np.float32))
    assert np.isfinite(fitted.transform(huge)).all()


def test_transform_refuses_the_wrong_number_of_features(fitted, X):
    with pytest.raises(ValueError, match="X has 4 features.*expecting 5 features"):
        fitted.transform(X[:, :4])


@pytest.mark.parametrize("width", [2, 4])
def test_inverse_transform_refuses_codes_of_the_wrong_width(fitted, width):
    with pytest.raises(ValueError, match=f"X has {width} features.*n_components=3"):
        fitted.inverse_transform(np.zeros((5, width)))


@pytest.mark.parametrize(
    "codes, error, match",
    [
        (np.full((5, 3), np.nan), ValueError, "NaN"),
        (np.full((5, 3), np.inf), ValueError, "infinity"),
        (np.zeros(3), ValueError, "Expected 2D array"),
        (np.zeros((5, 3, 1)), ValueError, "dim 3"),
        (np.zeros((0, 3)), ValueError, "0 sample"),
        (sp.csr_matrix(np.zeros((5, 3))), TypeError, r"toarray\(\)"),
        (np.zeros((5, 3)) + 1j, ValueError, "Complex data not supported"),
    ],
    ids=["nan", "inf", "1-d", "3-d", "no samples", "scipy sparse", "complex"],
)
def test_inverse_transform_refuses_bad_codes(fitted, codes, error, match):
    with pytest.raises(error, match=match):
        fitted.inverse_transform(codes)


def test_transform_refuses_dataframe_with_other_column_names(X):
    columns = list("abcde")
    sae = SparseAutoencoder(**SMALL).fit(pd.DataFrame(X, columns=columns))
    renamed = pd.DataFrame(X, columns=[*columns[:4], "z"])
    with pytest.raises(ValueError, match="(?s)unseen at fit time:\n- z.*missing:\n- e"):
        sae.transform(renamed)


def test_transform_refuses_dataframe_with_reordered_columns(X):
    sae = SparseAutoencoder(**SMALL).fit(pd.DataFrame(X, columns=list("abcde")))
    with pytest.raises(ValueError, match="same order"):
        sae.transform(pd.DataFrame(X, columns=list("edcba")))


@pytest.mark.parametrize("method", ["transform", "inverse_transform", "score"])
def test_methods_before_fit_raise_not_fitted(X, method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(SparseAutoencoder(), method)(X)


def test_get_feature_names_out_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        SparseAutoencoder().get_feature_names_out()


# -- invalid parameters ----------------------------------------------------------

# (parameters, what the message must say); each message names the argument, the
# value received and what was expected.
SIZES = "hidden_layer_sizes must be a tuple of positive ints, got "
BAD_PARAMS = [
    (dict(rho=0.0), r"'rho' parameter.*range \(0.0, 1.0\). Got 0.0"),
    (dict(rho=1.0), r"'rho' parameter.*range \(0.0, 1.0\). Got 1.0"),
    (dict(rho=-0.1), r"'rho' parameter.*Got -0.1"),
    (dict(rho=1.5), r"'rho' parameter.*Got 1.5"),
    (dict(rho=math.nan), r"'rho' parameter.*Got nan"),
    (dict(rho="0.1"), r"'rho' parameter.*Got '0.1'"),
    (dict(beta=-1.0), r"'beta' parameter.*range \[0.0, inf\). Got -1.0"),
    (dict(alpha=-1e-4), r"'alpha' parameter.*range \[0.0, inf\). Got -0.0001"),
    (dict(l1_penalty=-1.0), r"'l1_penalty' parameter.*Got -1.0"),
    (dict(noise_level=-0.1), r"'noise_level' parameter.*Got -0.1"),
    (
        dict(noise="masking", noise_level=1.5),
        r"noise_level .* must be in \[0, 1\], got 1.5",
    ),
    (dict(n_components=0), r"'n_components' parameter.*range \[1, inf\). Got 0"),
    (dict(n_components=2.5), r"'n_components' parameter.*int.*Got 2.5"),
    (dict(batch_size=0), r"'batch_size' parameter.*range \[1, inf\). Got 0"),
    (dict(max_iter=0), r"'max_iter' parameter.*Got 0"),
    (dict(k=0), r"'k' parameter.*Got 0"),
    (dict(learning_rate=0.0), r"'learning_rate' parameter.*Got 0.0"),
    (dict(learning_rate=math.inf), r"'learning_rate' parameter.*Got inf"),
    (dict(validation_fraction=1.0), r"'validation_fraction' parameter.*Got 1.0"),
    (dict(sparsity="dense"), r"'sparsity' parameter.*among.*Got 'dense'"),
    (dict(noise="pink"), r"'noise' parameter.*among.*Got 'pink'"),
    (dict(activation="swish"), r"'activation' parameter.*among.*Got 'swish'"),
    (dict(activation="identity"), r"'activation' parameter.*Got 'identity'"),
    (dict(output_activation="tanh"), r"'output_activation' parameter.*Got 'tanh'"),
    (dict(lr_schedule="step"), r"'lr_schedule' parameter.*Got 'step'"),
    (dict(hidden_layer_sizes="abc"), r"'hidden_layer_sizes' parameter.*Got 'abc'"),
    (dict(hidden_layer_sizes=8), r"'hidden_layer_sizes' parameter.*Got 8"),
    (dict(hidden_layer_sizes=(8, -1)), SIZES + r"\(8, -1\)"),
    (dict(hidden_layer_sizes=(0,)), SIZES + r"\(0,\)"),
    (dict(hidden_layer_sizes=(2.5,)), SIZES + r"\(2.5,\)"),
    (dict(hidden_layer_sizes=("8",)), SIZES + r"\('8',\)"),
    (dict(hidden_layer_sizes=(True,)), SIZES + r"\(True,\)"),
    (dict(device=None), r"'device' parameter.*str.*Got None"),
    (dict(device="tpu"), r"device='tpu' is not a valid torch device; expected"),
    (dict(device="nonsense"), r"device='nonsense' is not a valid torch device"),
    (dict(device="meta"), r"device='meta' is not supported; expected 'cpu'"),
]


@pytest.mark.parametrize(
    "params, match", BAD_PARAMS, ids=[str(p) for p, _ in BAD_PARAMS]
)
def test_invalid_parameter_is_refused_with_a_message_naming_it(X, params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SparseAutoencoder(**{**SMALL, **params}).fit(X)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:99"])
def test_cuda_device_without_cuda_is_refused(X, device):
    with pytest.raises(ValueError, match=f"device='{device}'.*CUDA is not available"):
        SparseAutoencoder(**SMALL, device=device).fit(X)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a machine with CUDA")
def test_cuda_device_beyond_those_visible_is_refused(X):
    device = f"cuda:{torch.cuda.device_count()}"
    with pytest.raises(ValueError, match=f"device='{device}'.*CUDA device"):
        SparseAutoencoder(**SMALL, device=device).fit(X)


# -- a failed call leaves a fitted estimator as it was ---------------------------


def _assert_unchanged_after(sae, X, failing_call, error):
    codes, state = sae.transform(X), _state(sae)
    attributes = dict(sae.__dict__)
    with pytest.raises(error):
        failing_call()
    np.testing.assert_array_equal(sae.transform(X), codes)
    _assert_same_state(_state(sae), state)
    assert sae.__dict__.keys() == attributes.keys()
    for key, value in attributes.items():
        if key not in sae.get_params():
            assert sae.__dict__[key] is value, key


def test_fit_with_an_invalid_declared_parameter_keeps_the_fitted_model(own_fitted, X):
    own_fitted.set_params(rho=2.0)
    _assert_unchanged_after(own_fitted, X, lambda: own_fitted.fit(X), ValueError)


def test_fit_with_an_invalid_layer_size_keeps_the_fitted_model(own_fitted, X):
    # validate_data has already recorded the new data's width when the layer
    # sizes are checked; that must be undone too.
    own_fitted.set_params(hidden_layer_sizes=(-1,))
    _assert_unchanged_after(own_fitted, X, lambda: own_fitted.fit(X[:, :3]), ValueError)
    assert own_fitted.n_features_in_ == 5


def test_fit_with_an_unavailable_device_keeps_the_fitted_model(own_fitted, X):
    own_fitted.set_params(device="tpu")
    _assert_unchanged_after(own_fitted, X, lambda: own_fitted.fit(X), ValueError)


@pytest.mark.parametrize("make, error, _", BAD_INPUTS.values(), ids=list(BAD_INPUTS))
def test_fit_with_bad_data_keeps_the_fitted_model(own_fitted, X, make, error, _):
    _assert_unchanged_after(own_fitted, X, lambda: own_fitted.fit(make(X)), error)


def test_fit_with_bad_dataframe_keeps_the_feature_names(X):
    columns = list("abcde")
    sae = SparseAutoencoder(**SMALL).fit(pd.DataFrame(X, columns=columns))
    # Feature names are recorded before the values are checked.
    bad = pd.DataFrame(_with(X, 0, 0, np.nan), columns=list("vwxyz"))
    _assert_unchanged_after(
        sae, pd.DataFrame(X, columns=columns), lambda: sae.fit(bad), ValueError
    )
    assert list(sae.feature_names_in_) == columns


@pytest.mark.parametrize("make, error, _", BAD_INPUTS.values(), ids=list(BAD_INPUTS))
def test_transform_with_bad_data_keeps_the_fitted_model(own_fitted, X, make, error, _):
    _assert_unchanged_after(own_fitted, X, lambda: own_fitted.transform(make(X)), error)


def test_inverse_transform_with_bad_codes_keeps_the_fitted_model(own_fitted, X):
    _assert_unchanged_after(
        own_fitted,
        X,
        lambda: own_fitted.inverse_transform(np.zeros((2, 7))),
        ValueError,
    )


# -- numerical robustness of training ----------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    rho=st.floats(min_value=1e-4, max_value=0.99),
    beta=st.floats(min_value=0.0, max_value=1e4),
    constant=st.sampled_from([0.0, 1.0, 0.5]),
    seed=st.integers(0, 2**16),
)
def test_kl_training_stays_finite_with_a_constant_column(rho, beta, constant, seed):
    X = np.random.default_rng(seed).random((24, 4)).astype(np.float32)
    X[:, 1] = constant
    sae = SparseAutoencoder(
        n_components=6, rho=rho, beta=beta, max_iter=2, batch_size=8, random_state=0
    ).fit(X)
    assert np.isfinite(sae.loss_curve_).all()
    codes = sae.transform(X)
    assert np.isfinite(codes).all()
    assert np.isfinite(sae.inverse_transform(codes)).all()


@settings(max_examples=10, deadline=None)
@given(
    rho=st.floats(min_value=1e-4, max_value=0.99),
    scale=st.sampled_from([1e2, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_kl_training_stays_finite_when_codes_saturate_at_0_and_1(rho, scale, seed):
    # Unscaled inputs push the sigmoid code units to exactly 0.0 or 1.0 in
    # float32, where log(rho_hat) and log(1 - rho_hat) are infinite.
    X = (np.random.default_rng(seed).random((24, 4)) * scale).astype(np.float32)
    sae = SparseAutoencoder(
        n_components=6, rho=rho, beta=1e3, max_iter=2, batch_size=8, random_state=0
    ).fit(X)
    codes = sae.transform(X)
    assert np.isfinite(sae.loss_curve_).all()
    assert np.isfinite(codes).all()


def test_all_zero_data_trains_to_finite_codes():
    X = np.zeros((16, 4), dtype=np.float32)
    sae = SparseAutoencoder(n_components=3, max_iter=2, random_state=0).fit(X)
    assert np.isfinite(sae.loss_curve_).all()
    assert np.isfinite(sae.transform(X)).all()


# -- divergence ------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_pixels(small_digits):
    """Digits as 0..255 pixel values."""
    return small_digits[0] * 255.0


def test_diverging_training_stops_with_an_error_naming_epoch_and_remedy(raw_pixels):
    sae = SparseAutoencoder(**DIVERGING)
    with pytest.raises(FloatingPointError) as info:
        sae.fit(raw_pixels)
    message = str(info.value)
    assert "non-finite in epoch 1" in message
    assert "MinMaxScaler" in message
    assert "learning_rate (now 100000000.0)" in message


def test_diverged_fresh_estimator_stays_unfitted(raw_pixels):
    sae = SparseAutoencoder(**DIVERGING)
    with pytest.raises(FloatingPointError):
        sae.fit(raw_pixels)
    with pytest.raises(NotFittedError):
        check_is_fitted(sae)
    assert not hasattr(sae, "net_")


def test_diverging_refit_keeps_the_fitted_weights(own_fitted, X, raw_pixels):
    own_fitted.set_params(**DIVERGING)
    _assert_unchanged_after(
        own_fitted, X, lambda: own_fitted.fit(raw_pixels), FloatingPointError
    )
    for tensor in own_fitted.net_.module_.state_dict().values():
        assert torch.isfinite(tensor).all()


def test_divergence_error_names_the_epoch_in_which_it_happened(monkeypatch, X):
    # Make the loss non-finite from the first batch of epoch 3 (4 batches per
    # epoch here) and check that the error says so.
    forward = SparseAutoencoderLoss.forward
    calls = itertools.count(1)

    def nan_from_epoch_3(self, *args, **kwargs):
        terms = forward(self, *args, **kwargs)
        if next(calls) > 8:
            return terms._replace(reconstruction=terms.reconstruction * math.nan)
        return terms

    monkeypatch.setattr(SparseAutoencoderLoss, "forward", nan_from_epoch_3)
    sae = SparseAutoencoder(**{**SMALL, "max_iter": 5})
    with pytest.raises(FloatingPointError, match="non-finite in epoch 3"):
        sae.fit(X)


# -- interrupting fit --------------------------------------------------------------


def _interrupt(monkeypatch, epoch, batch):
    """Raise KeyboardInterrupt before batch ``batch`` of epoch ``epoch`` (from 1)."""
    iterate = BatchIterator.__iter__
    passes = itertools.count(1)

    def interrupted(self):
        current = next(passes)
        for i, item in enumerate(iterate(self)):
            if current == epoch and i == batch:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(BatchIterator, "__iter__", interrupted)


CONSTANT = dict(SMALL, max_iter=5, lr_schedule="constant")


def test_interrupted_fit_keeps_the_weights_of_the_last_completed_epoch(monkeypatch, X):
    two_epochs = SparseAutoencoder(**{**CONSTANT, "max_iter": 2}).fit(X)
    # Two batches of epoch 3 update the weights before the interrupt.
    _interrupt(monkeypatch, epoch=3, batch=2)
    with pytest.warns(UserWarning, match=r"interrupted.*last completed epoch \(2\)"):
        sae = SparseAutoencoder(**CONSTANT).fit(X)
    assert sae.n_iter_ == 2
    assert len(sae.loss_curve_) == 2
    _assert_same_state(_state(sae), _state(two_epochs))
    np.testing.assert_array_equal(sae.transform(X), two_epochs.transform(X))


def test_interrupt_warning_points_at_the_callers_line(monkeypatch, X):
    _interrupt(monkeypatch, epoch=2, batch=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SparseAutoencoder(**CONSTANT).fit(X)
    [warning] = [w for w in caught if "interrupted" in str(w.message)]
    assert warning.filename == __file__


def test_interrupt_in_the_first_epoch_propagates_and_keeps_the_fitted_model(
    monkeypatch, own_fitted, X
):
    # Nothing was learnt yet: a "fitted" model with its initial weights would
    # be a silent trap, so the interrupt reaches the caller.
    _interrupt(monkeypatch, epoch=1, batch=1)
    _assert_unchanged_after(own_fitted, X, lambda: own_fitted.fit(X), KeyboardInterrupt)


def test_interrupt_in_the_first_epoch_leaves_a_fresh_estimator_unfitted(monkeypatch, X):
    _interrupt(monkeypatch, epoch=1, batch=1)
    sae = SparseAutoencoder(**CONSTANT)
    with pytest.raises(KeyboardInterrupt):
        sae.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(sae)


# -- unscaled data -------------------------------------------------------------------


def test_fit_warns_to_scale_data_far_beyond_the_unit_range(raw_pixels):
    with pytest.warns(UserWarning, match="up to 255 .*MinMaxScaler") as caught:
        SparseAutoencoder(n_components=4, max_iter=1, random_state=0).fit(raw_pixels)
    [warning] = [w for w in caught if "MinMaxScaler" in str(w.message)]
    assert warning.filename == __file__


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_scale_warning_looks_at_magnitude_not_sign(X, sign):
    with pytest.warns(UserWarning, match="up to 101 "):
        SparseAutoencoder(**SMALL).fit(_with(X, 0, 0, sign * 101.0))


@pytest.mark.parametrize(
    "scaler", [MinMaxScaler(), StandardScaler(), FunctionTransformer(lambda X: X * 16)]
)
def test_fit_does_not_warn_on_scaled_or_small_range_data(small_digits, scaler):
    X = scaler.fit_transform(small_digits[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SparseAutoencoder(n_components=4, max_iter=1, random_state=0).fit(X)


# -- determinism -------------------------------------------------------------------

_CODES_IN_A_FRESH_PROCESS = """
import sys
import numpy as np
from sklearn.datasets import load_digits
from sparse_ae import SparseAutoencoder

X = (load_digits().data[:200] / 16.0).astype(np.float32)
sae = SparseAutoencoder(
    n_components=8, noise="gaussian", max_iter=3, batch_size=32, random_state=7
)
sys.stdout.buffer.write(sae.fit_transform(X).tobytes())
"""


def test_same_random_state_gives_bitwise_identical_codes_across_processes():
    root = str(Path(sparse_ae.__file__).resolve().parent.parent)
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])
    )
    # Both at once: most of each run is importing torch.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _CODES_IN_A_FRESH_PROCESS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(2)
    ]
    runs = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
        runs.append(out)
    assert len(runs[0]) == 200 * 8 * 4
    assert runs[0] == runs[1]
