"""SparseAutoencoder inside Pipelines and grid searches, as users write them."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from sparse_ae import SparseAutoencoder, variance_explained_scorer


def _pipeline(reducer):
    return Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("sae", reducer),
            ("clf", LogisticRegression(max_iter=2000)),
        ]
    )


@pytest.fixture(scope="module")
def split(digits):
    X, y = digits
    return train_test_split(X * 16, y, test_size=0.25, random_state=0)


def test_pipeline_accuracy_at_least_that_of_pca(split):
    X_train, X_test, y_train, y_test = split
    # On 64-pixel digits an overcomplete L1-sparse code is the strong choice; the
    # default KL weight is tuned for larger images (see the user guide).
    sae = _pipeline(
        SparseAutoencoder(n_components=256, sparsity="l1", max_iter=30, random_state=0)
    )
    pca = _pipeline(PCA(n_components=32, random_state=0))
    sae_acc = sae.fit(X_train, y_train).score(X_test, y_test)
    pca_acc = pca.fit(X_train, y_train).score(X_test, y_test)
    assert sae_acc >= pca_acc


def test_grid_search_over_rho_in_pipeline_with_two_jobs(split):
    X_train, _, y_train, _ = split
    search = GridSearchCV(
        _pipeline(SparseAutoencoder(n_components=32, max_iter=3, random_state=0)),
        {"sae__rho": [0.05, 0.2]},
        cv=2,
        n_jobs=2,
    ).fit(X_train[:400], y_train[:400])
    assert search.best_params_["sae__rho"] in (0.05, 0.2)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_standalone_grid_search_over_rho_uses_score(digits):
    X, _ = digits
    search = GridSearchCV(
        SparseAutoencoder(n_components=16, max_iter=3, random_state=0),
        {"rho": [0.01, 0.1, 0.3]},
        cv=2,
    ).fit(X[:400])
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all() and (scores <= 1.0).all()
    best = search.best_estimator_
    assert search.best_score_ == pytest.approx(max(scores))
    assert best.rho == search.best_params_["rho"]


def test_one_search_compares_pca_and_sparse_autoencoder(digits):
    X, _ = digits
    search = GridSearchCV(
        Pipeline([("reduce", PCA(n_components=16))]),
        {
            "reduce": [
                PCA(n_components=16),
                SparseAutoencoder(n_components=16, max_iter=3, random_state=0),
            ]
        },
        scoring=variance_explained_scorer,
        cv=2,
    ).fit(X[:400])
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 2 and np.isfinite(scores).all()
    # PCA with 16 of 64 components explains most of the variance of digits.
    assert scores[0] > 0.7
