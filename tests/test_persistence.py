"""Saving and loading a fitted SparseAutoencoder with pickle and joblib."""

import contextlib
import io
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
import torch.serialization
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from skorch.exceptions import DeviceWarning

import sparse_ae
from sparse_ae import SparseAutoencoder

FAST = dict(n_components=8, max_iter=3, batch_size=32, random_state=0)


def _pickle_round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


def _joblib_round_trip(obj):
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


round_trips = pytest.mark.parametrize(
    "round_trip", [_pickle_round_trip, _joblib_round_trip], ids=["pickle", "joblib"]
)


@pytest.fixture(scope="module")
def X(small_digits):
    return small_digits[0]


@pytest.fixture(scope="module")
def fitted(X):
    return SparseAutoencoder(**FAST).fit(X)


@round_trips
def test_round_trip_gives_identical_transform_and_inverse_transform(
    fitted, X, round_trip
):
    restored = round_trip(fitted)
    codes = fitted.transform(X)
    np.testing.assert_array_equal(restored.transform(X), codes)
    np.testing.assert_array_equal(
        restored.inverse_transform(codes), fitted.inverse_transform(codes)
    )


@round_trips
def test_round_trip_keeps_the_fitted_attributes(fitted, round_trip):
    restored = round_trip(fitted)
    assert restored.get_params() == fitted.get_params()
    assert restored.n_iter_ == fitted.n_iter_
    assert restored.loss_curve_ == fitted.loss_curve_
    np.testing.assert_array_equal(restored.components_, fitted.components_)
    np.testing.assert_array_equal(restored.mean_activation_, fitted.mean_activation_)


@round_trips
def test_round_trip_keeps_pandas_output_and_feature_names(X, round_trip):
    columns = [f"pixel{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    sae = SparseAutoencoder(**FAST).set_output(transform="pandas").fit(frame)
    restored = round_trip(sae)
    codes = restored.transform(frame)
    assert isinstance(codes, pd.DataFrame)
    pd.testing.assert_frame_equal(codes, sae.transform(frame))
    assert list(restored.feature_names_in_) == columns


@round_trips
def test_round_trip_of_a_pipeline_gives_identical_predictions(small_digits, round_trip):
    X, y = small_digits
    pipe = make_pipeline(
        MinMaxScaler(),
        SparseAutoencoder(**FAST),
        LogisticRegression(max_iter=500),
    ).fit(X, y)
    restored = round_trip(pipe)
    np.testing.assert_array_equal(restored[:-1].transform(X), pipe[:-1].transform(X))
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))


@round_trips
def test_round_trip_of_a_denoising_model_keeps_its_noise_generator(X, round_trip):
    sae = SparseAutoencoder(**FAST, noise="masking").fit(X)
    restored = round_trip(sae)
    np.testing.assert_array_equal(restored.transform(X), sae.transform(X))


@round_trips
def test_restored_model_refits_like_the_original(fitted, X, round_trip):
    restored = round_trip(fitted)
    np.testing.assert_array_equal(
        restored.fit(X).transform(X), clone(fitted).fit(X).transform(X)
    )


# -- a model trained on a GPU, loaded where there is none --------------------------

no_cuda = pytest.mark.skipif(
    torch.cuda.is_available(), reason="simulates a machine without CUDA"
)


def test_inference_runs_where_the_module_is_not_where_net_device_says(fitted, X):
    # net_.device is only what training asked for; transform follows the
    # weights themselves.
    restored = _pickle_round_trip(fitted)
    restored.net_.device = "cuda"
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))


@no_cuda
def test_net_trained_on_cuda_maps_to_cpu_when_unpickled_without_cuda(fitted, X):
    # skorch's NeuralNet.__setstate__ maps a "cuda" net to the CPU when CUDA is
    # unavailable; here the tensors are on the CPU already and only the device
    # recorded in the net says "cuda".
    on_gpu = _pickle_round_trip(fitted)
    on_gpu.net_.device = "cuda"
    blob = pickle.dumps(on_gpu)
    with pytest.warns(DeviceWarning) as caught:
        restored = pickle.loads(blob)
    assert any("not available" in str(w.message) for w in caught)
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))


def _storages(*tensors):
    return {t.untyped_storage().data_ptr() for t in tensors}


def _gpu_storages(sae):
    """The storages that training on a GPU would have put there."""
    net = sae.net_
    tensors = [
        *net.module_.state_dict().values(),
        *net.criterion_.state_dict().values(),
    ]
    for state in net.optimizer_.state.values():
        tensors += [v for k, v in state.items() if k != "step" and torch.is_tensor(v)]
    return _storages(*tensors)


@contextlib.contextmanager
def _tagged_as_cuda(storages):
    """Pickle the given storages as if they lived on "cuda:0".

    torch pickles each storage with a location tag ("cpu", "cuda:0", ...) from
    the first tagger in its registry that answers; loading a "cuda:0" storage
    without CUDA fails unless a ``map_location`` sends it to the CPU. With this
    tagger in front, the pickle holds the bytes a GPU-trained model would.
    """

    def tag(storage):
        return "cuda:0" if storage.data_ptr() in storages else None

    registry = torch.serialization._package_registry
    saved = list(registry)
    registry.insert(0, (0, tag, lambda storage, location: None))
    try:
        yield
    finally:
        registry[:] = saved


@no_cuda
def test_simulated_cuda_pickle_needs_cuda_without_map_location(fitted):
    # The simulation is faithful: tagged storages refuse to load as they are.
    module = fitted.net_.module_
    with _tagged_as_cuda(_storages(*module.state_dict().values())):
        blob = pickle.dumps(module)
    with pytest.raises(RuntimeError, match="CUDA"):
        pickle.loads(blob)


@no_cuda
def test_weights_pickled_on_cuda_load_on_a_cpu_only_machine(X):
    # A freshly fitted model: an unpickled one no longer shares one module
    # object between `module` and `module_`.
    sae = SparseAutoencoder(**FAST).fit(X)
    expected = sae.transform(X)
    sae.net_.device = "cuda"
    with _tagged_as_cuda(_gpu_storages(sae)):
        blob = pickle.dumps(sae)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviceWarning)
        restored = pickle.loads(blob)
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.transform(X), expected)


_LOAD_WITHOUT_CUDA = """
import pickle, sys
import numpy as np
sae = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
sys.stdout.buffer.write(sae.transform(X).tobytes())
"""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_model_trained_on_cuda_loads_in_a_process_without_cuda(X, tmp_path):
    sae = SparseAutoencoder(**FAST, device="cuda").fit(X)
    model, data = tmp_path / "model.pkl", tmp_path / "X.npy"
    model.write_bytes(pickle.dumps(sae))
    np.save(data, X)
    root = str(Path(sparse_ae.__file__).resolve().parent.parent)
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", PYTHONPATH=root)
    run = subprocess.run(
        [sys.executable, "-c", _LOAD_WITHOUT_CUDA, str(model), str(data)],
        capture_output=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr.decode()
    codes = np.frombuffer(run.stdout, dtype=np.float32).reshape(len(X), -1)
    np.testing.assert_allclose(codes, sae.transform(X), rtol=1e-4, atol=1e-5)


def test_denoising_noise_stream_survives_pickling(X):
    from sparse_ae._net import Corruption

    corruption = Corruption("gaussian", 0.3, torch.Generator().manual_seed(5), 0, 1)
    corruption(torch.zeros(2, 3))  # advance the stream
    restored = pickle.loads(pickle.dumps(corruption))
    batch = torch.full((4, 6), 0.5)
    assert torch.equal(restored(batch), corruption(batch))
