"""scikit-learn's own API conformance checks."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sparse_ae import SparseAutoencoder


def _fast_instances():
    # Small, seeded and short so that the ~50 checks run in seconds, one per
    # sparsity mode so that each code path meets every check.
    common = dict(n_components=3, max_iter=3, batch_size=16, random_state=0)
    return [
        SparseAutoencoder(**common),
        SparseAutoencoder(**common, sparsity=None, hidden_layer_sizes=(5,)),
        SparseAutoencoder(**common, sparsity="l1", tied_weights=True),
        SparseAutoencoder(**common, sparsity="topk", k=2, noise="masking"),
    ]


# No expected failures: every check must pass.
@parametrize_with_checks(_fast_instances())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
