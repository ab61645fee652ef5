"""Training machinery: a skorch net that batches by slicing tensors.

skorch's default path builds every batch from per-sample ``Dataset.__getitem__``
calls and a collate function; for an autoencoder on an in-memory matrix that is
pure overhead. Here the data set is one tensor and a batch is one indexed slice of
it, as in a hand-written loop, while skorch keeps the fit loop, the callbacks
(early stopping, learning-rate schedule, progress) and the history.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, PassthroughScoring

from ._callbacks import LearningRateSchedule
from ._nn import corrupt

TERMS = ("reconstruction", "sparsity", "penalty")

# The hooks of skorch's Callback, notified by NeuralNet.notify.
_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_grad_computed",
)


class TensorData(torch.utils.data.Dataset):
    """A data set that is one 2-D tensor; the target of each row is the row."""

    def __init__(self, X: torch.Tensor, y: object = None) -> None:
        self.X = X

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X[i], self.X[i]


class BatchIterator:
    """Yield ``(input, target)`` batches of a :class:`TensorData` by slicing.

    With ``shuffle``, a fresh permutation is drawn from ``generator`` at the start
    of every pass. ``corruption``, if given, maps a clean batch to the network's
    input (a denoising autoencoder's noise); the target stays clean. Batches are
    moved to ``device`` one at a time, which is free when the data already lives
    there (the estimator moves the whole training set to the device once, so on
    a GPU an epoch makes no host-to-device copy beyond the permutation).
    """

    def __init__(
        self,
        dataset: TensorData,
        batch_size: int,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        corruption: Callable[[torch.Tensor], torch.Tensor] | None = None,
        device: str | torch.device = "cpu",
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.corruption = corruption
        self.device = device

    def __len__(self) -> int:
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        X = self.dataset.X
        n = len(X)
        order = None
        if self.shuffle:
            # Drawn on the CPU (the generator's device, so results do not depend
            # on where the data live) and moved once per pass, not once per batch.
            order = torch.randperm(n, generator=self.generator).to(X.device)
        for start in range(0, n, self.batch_size):
            if order is None:
                batch = X[start : start + self.batch_size]
            else:
                batch = X[order[start : start + self.batch_size]]
            batch = batch.to(self.device, non_blocking=True)
            noisy = batch if self.corruption is None else self.corruption(batch)
            yield noisy, batch


class Corruption:
    """The denoising corruption of a batch (see :func:`~sparse_ae._nn.corrupt`).

    A class rather than a closure so that a fitted net pickles.
    """

    def __init__(
        self,
        kind: str,
        level: float,
        generator: torch.Generator,
        low: float,
        high: float,
    ) -> None:
        self.kind = kind
        self.level = level
        self.generator = generator
        self.low = low
        self.high = high

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        return corrupt(
            batch, self.kind, self.level, self.generator, self.low, self.high
        )

    def __getstate__(self) -> dict:
        # A CUDA generator cannot be unpickled where CUDA is missing, so the
        # generator travels as (device, seed, state) and is rebuilt on load.
        state = self.__dict__.copy()
        generator = state.pop("generator")
        state["generator_state"] = (
            generator.device.type,
            generator.initial_seed(),
            generator.get_state(),
        )
        return state

    def __setstate__(self, state: dict) -> None:
        device, seed, rng_state = state.pop("generator_state")
        self.__dict__.update(state)
        if device == "cuda" and not torch.cuda.is_available():
            # The noise stream restarts from its seed on the CPU: the CUDA
            # generator's state has no CPU equivalent.
            self.generator = torch.Generator().manual_seed(seed)
        else:
            self.generator = torch.Generator(device=device)
            self.generator.set_state(rng_state)


def silent(*args: object) -> None:
    """A ``sink`` for skorch callbacks that should print nothing."""


class HoldOut:
    """skorch ``train_split``: hold out a random ``fraction`` of the rows."""

    def __init__(self, fraction: float, generator: torch.Generator) -> None:
        self.fraction = fraction
        self.generator = generator

    def __call__(self, dataset: TensorData, y: object = None, **_: object):
        n = len(dataset)
        n_valid = min(max(1, round(self.fraction * n)), n - 1)
        order = torch.randperm(n, generator=self.generator).to(dataset.X.device)
        return (
            TensorData(dataset.X[order[n_valid:]]),
            TensorData(dataset.X[order[:n_valid]]),
        )


class NonFiniteLossError(FloatingPointError):
    """Raised when an epoch ends with a non-finite loss."""

    def __init__(self, epoch: int, prefix: str) -> None:
        self.epoch = epoch
        super().__init__(f"the {prefix} loss became non-finite in epoch {epoch}")


class AutoencoderNet(NeuralNet):
    """A skorch ``NeuralNet`` for :class:`~sparse_ae._nn.AutoencoderModule`.

    The module returns ``(reconstruction, code)`` and the criterion returns
    :class:`~sparse_ae._nn.LossTerms`; this net sums the terms for the optimizer
    and records each term's epoch mean in the history (``train_loss``,
    ``train_reconstruction``, ``train_sparsity``, ``train_penalty`` and the
    ``valid_`` counterparts). An epoch whose loss is not finite stops training
    with :class:`NonFiniteLossError`. The parameters at the end of the last
    completed epoch are kept, so that an interrupted fit can fall back on them.

    The per-batch path is kept as lean as a hand-written loop (see
    ``benchmarks/bench_speed.py``), while every callback hook is still notified:

    - No per-batch history: skorch records each batch's loss with ``.item()``
      (a host synchronisation per batch on a GPU) and a dict per batch, only for
      its ``PassthroughScoring`` callbacks to average them at the end of the
      epoch. Here the epoch means are accumulated on the device in
      :meth:`get_loss` and recorded by :meth:`on_epoch_end`, so those two
      callbacks are left out of the defaults; the history holds one row per
      epoch whose size does not grow with the number of batches.
    - ``optimizer.step()`` is called without a closure (the loss is computed
      first): the optimizer is Adam, which evaluates the loss once per step.
    - Adam runs its fused implementation (one kernel per parameter instead of
      about ten element-wise passes) on the devices that have one, unless
      ``optimizer__fused`` is given.
    - Training mode is set only when it changes: skorch sets it before every
      batch, and ``Module.train`` walks the whole module tree each time.
    - A hook is called only on the callbacks that implement it: the three
      per-batch notifications otherwise call every callback's empty default.
    """

    def initialize(self):
        super().initialize()
        # `module` (the very object in module_) and the LR scheduler inside
        # callbacks_ hold tensors too: without this they would be pickled
        # outside skorch's device-mapped state, and a model trained on a GPU
        # could not be loaded on a CPU-only machine.
        self.cuda_dependent_attributes_ = [
            *self.cuda_dependent_attributes_,
            "module",
            "callbacks",
        ]
        return self

    def initialize_callbacks(self):
        super().initialize_callbacks()
        # For each hook, the callbacks that override Callback's empty default.
        self._listeners = {
            hook: [
                cb
                for _, cb in self.callbacks_
                if getattr(type(cb), hook, None) is not getattr(Callback, hook)
            ]
            for hook in _HOOKS
        }
        return self

    def notify(self, method_name, **cb_kwargs):
        getattr(self, method_name)(self, **cb_kwargs)
        listeners = self.__dict__.get("_listeners", {}).get(method_name)
        if listeners is None:  # not a hook of Callback's: ask every callback
            listeners = [cb for _, cb in self.callbacks_]
        for cb in listeners:
            getattr(cb, method_name)(self, **cb_kwargs)

    def _set_training(self, training=True):
        # Module.train(mode) sets the mode of the whole tree, so a module whose
        # own flag already reads `training` needs nothing (skorch calls this
        # before every batch, and the tree walk is not free).
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def get_default_callbacks(self):
        # train_loss and valid_loss are recorded by on_epoch_end from the
        # device-side sums, so skorch's batch-averaging callbacks are not needed.
        return [
            (name, cb)
            for name, cb in super().get_default_callbacks()
            if not isinstance(cb, PassthroughScoring)
        ]

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if (
            prefix == "optimizer"
            and self.optimizer is torch.optim.Adam
            # device=None: placement is left to someone else (e.g. Accelerate).
            and self.device is not None
            and torch.device(self.device).type in ("cpu", "cuda")
        ):
            kwargs.setdefault("fused", True)
        return args, kwargs

    def prepare_single_pass(self, lr: float, warmup_steps: int = 0) -> None:
        """Make each later ``fit`` train one more epoch at the constant step ``lr``.

        This is the set-up of the estimator's ``partial_fit``: ``warm_start`` so
        that the module and the optimizer's state carry over, one epoch per call,
        no held-out data and none of the callbacks given to the net (a learning
        rate schedule, early stopping and a progress bar all count epochs up to
        a known total, which a stream of chunks does not have). The one
        exception is the warm-up: a net not yet initialised (the stream's first
        chunk) raises its step to ``lr`` over its first ``warmup_steps``
        batches, as ``fit`` does over its first epoch. On a net that was already
        trained (e.g. with a cosine schedule), the optimizer's step size is
        reset to ``lr``.
        """
        self.warm_start = True
        self.max_epochs = 1
        self.train_split = None
        self.callbacks = []
        if not self.initialized_ and warmup_steps > 0:
            self.callbacks = [
                (
                    "lr_schedule",
                    LearningRateSchedule(lr, 1, warmup_steps, schedule="constant"),
                )
            ]
        if self.initialized_:
            self.initialize_callbacks()
        self.set_params(lr=lr)

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        # Not calling super(): it only opens a per-batch history entry, and
        # nothing is recorded per batch (see the class docstring).
        pass

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop minus the per-batch history records; the batch-level
        # notifications stay, so batch-level callbacks still work.
        if iterator is None:
            return
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)

    def _step_optimizer(self, step_fn):
        # skorch passes the loss closure to optimizer.step() for optimizers that
        # evaluate the loss several times per step (LBFGS); Adam evaluates it
        # once, so the closure runs first and the step follows, without the
        # optimizer's closure machinery (skorch's AccelerateMixin does the same).
        step_fn()
        for name in self._optimizers:
            getattr(self, name + "_").step()

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        self._snapshot()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)
        # Running sums of (terms * batch size, batch size), kept as tensors so
        # that a batch costs no host synchronisation.
        self._sums = {}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        reconstruction, code = y_pred
        # Multi-GPU training (skorch's AccelerateMixin) wraps the module in
        # DistributedDataParallel, which hides its methods behind ``.module``.
        module = getattr(self.module_, "module", self.module_)
        terms = self.criterion_(y_true, reconstruction, code, module.weight_matrices())
        prefix = "train" if training else "valid"
        n = len(y_true)
        with torch.no_grad():
            batch_terms = torch.stack(terms)
            if prefix in self._sums:
                self._sums[prefix][0].add_(batch_terms, alpha=n)
                self._sums[prefix][1] += n
            else:
                self._sums[prefix] = [batch_terms * n, n]
        return terms.total

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_end(net, dataset_train, dataset_valid, **kwargs)
        epoch = len(self.history)
        for prefix, (sums, count) in self._sums.items():
            means = (sums / count).tolist()
            for name, value in zip(TERMS, means, strict=True):
                self.history.record(f"{prefix}_{name}", value)
            total = sum(means)
            self.history.record(f"{prefix}_loss", total)
            if not math.isfinite(total):
                raise NonFiniteLossError(epoch, prefix)
        self._snapshot()

    def _snapshot(self) -> None:
        self.last_complete_state_ = {
            k: v.detach().clone() for k, v in self.module_.state_dict().items()
        }

    def on_train_end(self, net, X=None, y=None, **kwargs):
        super().on_train_end(net, X=X, y=y, **kwargs)
        # An interrupted epoch has no train_loss: drop it and return to the
        # parameters of the last one that completed.
        if len(self.history) and "train_loss" not in self.history[-1]:
            del self.history[-1]
            self.module_.load_state_dict(self.last_complete_state_)
            self.interrupted_ = True
        else:
            self.interrupted_ = False
        self.last_complete_state_ = None


class EpochProgress(Callback):
    """A progress bar over epochs showing the loss and its terms (``verbose >= 1``)."""

    def __init__(self, total: int) -> None:
        self.total = total

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=self.total, unit="epoch", leave=True)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        self.bar_.set_postfix(
            {
                key: f"{row[key]:.4g}"
                for key in ("train_loss", *(f"train_{t}" for t in TERMS), "valid_loss")
                if key in row
            },
            refresh=False,
        )
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.bar_.close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("bar_", None)
        return state
