"""The lean training loop keeps skorch's contract: modes and callback hooks."""

import torch
from skorch.callbacks import Callback

from sparse_ae import SparseAutoencoder
from sparse_ae._net import AutoencoderNet, BatchIterator, TensorData
from sparse_ae._nn import AutoencoderConfig, AutoencoderModule, SparseAutoencoderLoss


def _record_modes(module, seen):
    """Record, at every forward of each leaf layer, (training, grad enabled)."""

    def hook(layer, args):
        seen.append((layer.training, torch.is_grad_enabled()))

    return [
        m.register_forward_pre_hook(hook)
        for m in module.modules()
        if not list(m.children())
    ]


def test_training_steps_run_in_training_mode_and_validation_in_eval(small_digits):
    X, _ = small_digits
    est = SparseAutoencoder(
        n_components=8,
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=3,
        tol=0,
        random_state=0,
    ).fit(X)
    seen = []
    # The fitted module is left in eval mode; partial_fit must switch the
    # whole tree back to training mode, then fit's validation to eval.
    assert not est.net_.module_.training
    handles = _record_modes(est.net_.module_, seen)
    try:
        est.net_.partial_fit(torch.from_numpy(X))
    finally:
        for handle in handles:
            handle.remove()
    assert seen
    assert {grad for _, grad in seen} == {True, False}  # training and validation
    assert all(training == grad for training, grad in seen)


class _Counter(Callback):
    def __init__(self):
        self.calls = {}

    def _count(self, hook):
        self.calls[hook] = self.calls.get(hook, 0) + 1

    def on_batch_end(self, net, **kwargs):
        self._count("on_batch_end")

    def on_grad_computed(self, net, named_parameters, **kwargs):
        assert len(list(named_parameters)) == 4  # two weights, two biases
        self._count("on_grad_computed")

    def on_epoch_end(self, net, **kwargs):
        self._count("on_epoch_end")


class _Inherited(_Counter):
    """Hooks inherited from a parent class count as implemented."""


def test_every_implemented_hook_is_notified(small_digits):
    X, _ = small_digits  # 300 rows: 10 batches of 32 per epoch
    counters = [_Counter(), _Inherited()]
    net = AutoencoderNet(
        module=AutoencoderModule(AutoencoderConfig(X.shape[1], 8)),
        criterion=SparseAutoencoderLoss(),
        optimizer=torch.optim.Adam,
        max_epochs=2,
        batch_size=32,
        dataset=TensorData,
        iterator_train=BatchIterator,
        iterator_valid=BatchIterator,
        train_split=None,
        callbacks=[("a", counters[0]), ("b", counters[1])],
        verbose=0,
    )
    net.fit(torch.from_numpy(X))
    for counter in counters:
        assert counter.calls == {
            "on_batch_end": 20,
            "on_grad_computed": 20,
            "on_epoch_end": 2,
        }
