"""
======================================================
Data-parallel training on several GPUs with Accelerate
======================================================

:class:`~sparse_ae.SparseAutoencoder` trains on one device. To spread the
training of the same network over several GPUs (or several machines), this
script hands it to an existing engine: skorch's
:class:`~skorch.hf.AccelerateMixin` and `Hugging Face Accelerate
<https://huggingface.co/docs/accelerate>`_, which run one process per device,
give each a shard of every epoch's batches and average the gradients. Launch
it with ``accelerate launch`` (``pip install accelerate``)::

    # every GPU of this machine, one process each
    accelerate launch --multi_gpu train_multi_gpu.py --data train.npy --out sae.pt

    # no GPU: two CPU processes (gloo), the same data-parallel code path
    torchrun --standalone --nproc_per_node 2 train_multi_gpu.py --cpu --out sae.pt

``--data`` is a ``.npy`` file of rows scaled to [0, 1], which every process
loads into its memory as float32; without it the script trains on
scikit-learn's 8 x 8 digits. The main process saves the trained
weights, which load into :class:`~sparse_ae._nn.AutoencoderModule`::

    module = AutoencoderModule(AutoencoderConfig(n_features=..., n_components=...))
    module.load_state_dict(torch.load("sae.pt"))
    codes = module.eval().encode(torch.from_numpy(X))

What differs from :meth:`SparseAutoencoder.fit <sparse_ae.SparseAutoencoder.fit>`:
the step size is constant (no warm-up, no cosine schedule), there is no
denoising noise, and each batch is drawn by skorch's default ``DataLoader``,
which Accelerate shards across the processes; ``--batch-size`` is per process.
The logged loss terms of each process are means over its own shard.

.. warning::

   ``sparse_ae._net`` and ``sparse_ae._nn`` are private modules, so this script
   may need adjusting between versions. The package's tests run it with two CPU
   processes (``tests/test_multi_gpu_example.py``); no multi-GPU machine was
   available to run it on GPUs.
"""

import argparse
import math

import numpy as np
import torch
from accelerate import Accelerator
from skorch.hf import AccelerateMixin

from sparse_ae._net import AutoencoderNet, TensorData
from sparse_ae._nn import AutoencoderConfig, AutoencoderModule, SparseAutoencoderLoss
from sparse_ae.datasets import load_digits


class AcceleratedAutoencoderNet(AccelerateMixin, AutoencoderNet):
    """The estimator's net, with its module, optimizer and loader prepared by
    Accelerate."""

    def _initialize_accelerator(self):
        # skorch hands the criterion to Accelerate too. It has no parameters, so
        # there is nothing to place or synchronise, and with several CPU
        # processes Accelerate would wrap it in DistributedDataParallel, which
        # refuses a module without parameters (on GPUs it skips such modules).
        criteria, self._criteria = self._criteria, []
        try:
            return super()._initialize_accelerator()
        finally:
            self._criteria = criteria


def replicas_identical(module: torch.nn.Module, n_processes: int) -> bool:
    """Whether every process holds exactly the same parameters as this one."""
    if n_processes == 1:
        return True
    flat = torch.cat([p.detach().flatten().cpu() for p in module.parameters()])
    # The gather runs on a gloo group of its own, destroyed while ``flat`` and
    # ``replicas`` are still alive. Gloo's worker threads can release a finished
    # collective's tensors a moment after the caller has moved on; if Python
    # has dropped them by then, the release needs the interpreter, and at exit
    # that aborts the process ("terminate called without an active
    # exception"). Destroying the group joins its threads first. The training
    # group cannot be used for this: DistributedDataParallel keeps references
    # to it, so destroying it does not stop its threads.
    group = torch.distributed.new_group(backend="gloo")
    replicas = [torch.empty_like(flat) for _ in range(n_processes)]
    torch.distributed.all_gather(replicas, flat, group=group)
    torch.distributed.destroy_process_group(group)
    del group  # the last reference: joins the group's threads
    return all(torch.equal(replica, flat) for replica in replicas)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[1])
    parser.add_argument("--data", help=".npy file of float32 rows in [0, 1]")
    parser.add_argument("--out", default="sae.pt", help="where to save the weights")
    parser.add_argument("--n-components", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=256, help="per process")
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--rho", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cpu", action="store_true", help="train on CPU processes, not GPUs"
    )
    args = parser.parse_args(argv)

    if args.data:
        X = torch.from_numpy(np.load(args.data).astype(np.float32, copy=False))
    else:
        X = torch.from_numpy(load_digits()[0])

    # mixed_precision="bf16" is an option on GPUs.
    accelerator = Accelerator(cpu=args.cpu)
    module = AutoencoderModule(
        AutoencoderConfig(n_features=X.shape[1], n_components=args.n_components)
    )
    # The same seed in every process gives every replica the same initial weights.
    module.reset_parameters(
        torch.Generator().manual_seed(args.seed),
        output_mean=X.mean(dim=0),
        code_bias=math.log(args.rho / (1 - args.rho)),
    )
    torch.manual_seed(args.seed)  # the data loader's shuffling
    net = AcceleratedAutoencoderNet(
        module=module,
        criterion=SparseAutoencoderLoss(
            sparsity="kl", rho=args.rho, beta=3.0, alpha=3e-4
        ),
        optimizer=torch.optim.Adam,
        lr=args.learning_rate,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        dataset=TensorData,
        iterator_train__shuffle=True,
        train_split=None,
        accelerator=accelerator,
        device=None,  # Accelerate places the module and the batches
        verbose=int(accelerator.is_main_process),
    )
    net.fit(X)

    # Data-parallel training keeps the replicas identical: check it.
    trained = accelerator.unwrap_model(net.module_)
    in_sync = replicas_identical(trained, accelerator.num_processes)
    if accelerator.is_main_process:
        print(
            f"trained on {accelerator.num_processes} process(es), device "
            f"{accelerator.device}; replicas identical: {in_sync}"
        )
        weights = {k: v.cpu() for k, v in trained.state_dict().items()}
        torch.save(weights, args.out)
    accelerator.wait_for_everyone()
    accelerator.end_training()  # destroys the process group


if __name__ == "__main__":
    main()
