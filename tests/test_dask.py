"""Hyper-parameter search on a dask cluster, through joblib's dask backend.

A ``LocalCluster`` of worker processes on 127.0.0.1 stands in for a real
cluster; pointing the same code at one is a matter of ``Client(address)`` (see
docs/user_guide/scaling.rst).
"""

import distributed
import numpy as np
import pytest
import torch
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from sparse_ae import SparseAutoencoder

# Training on the CPU is bitwise reproducible for a given number of threads; the
# workers and this process use one each, so distributed and local fits agree.
THREADS = 1


def _single_threaded() -> None:
    torch.set_num_threads(THREADS)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit="1GiB",
    )
    client = distributed.Client(cluster)
    client.run(_single_threaded)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def single_threaded_torch():
    previous = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    yield
    torch.set_num_threads(previous)


def _search() -> GridSearchCV:
    estimator = SparseAutoencoder(
        n_components=8, max_iter=3, batch_size=32, random_state=0
    )
    grid = {"rho": [0.05, 0.2], "sparsity": ["kl", "l1"]}
    return GridSearchCV(estimator, grid, cv=2, n_jobs=2)


def _scores(search: GridSearchCV) -> dict[str, np.ndarray]:
    return {
        key: np.asarray(value)
        for key, value in search.cv_results_.items()
        if key.endswith("test_score") or key == "rank_test_score"
    }


def test_dask_grid_search_gives_the_same_scores_as_a_local_one(
    client, small_digits, single_threaded_torch
):
    X, _ = small_digits
    local = _search().set_params(n_jobs=1).fit(X)
    with parallel_backend("dask"):
        remote = _search().fit(X)
    local_scores, remote_scores = _scores(local), _scores(remote)
    assert local_scores.keys() == remote_scores.keys()
    for key, value in local_scores.items():
        np.testing.assert_array_equal(remote_scores[key], value, err_msg=key)
    assert remote.best_params_ == local.best_params_


def test_dask_grid_search_runs_its_fits_on_the_workers(client, small_digits):
    X, _ = small_digits
    with distributed.get_task_stream(client) as stream:
        with parallel_backend("dask"):
            _search().fit(X)
    workers = {task["worker"] for task in stream.data}
    # joblib batches the 4 candidates x 2 folds into however many tasks it
    # likes, and the task stream may miss the last ones at exit, so what can be
    # asserted is that fits ran there, on this cluster's workers only.
    assert len(stream.data) >= 1
    assert workers and workers <= set(client.scheduler_info()["workers"])
