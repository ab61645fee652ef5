"""``examples/train_multi_gpu.py``, run data-parallel on two CPU processes.

No GPU is needed: ``torchrun`` starts two processes that Accelerate joins over
gloo on 127.0.0.1, each training on its shard of every epoch and averaging
gradients with the other, which is the code path of several GPUs.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sparse_ae._nn import AutoencoderConfig, AutoencoderModule
from sparse_ae.datasets import load_digits

pytest.importorskip("accelerate", reason="the example needs the accelerate extra")

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "train_multi_gpu.py"
N_COMPONENTS = 32


def _launch(*args: str, n_processes: int) -> subprocess.CompletedProcess:
    command = [
        *(sys.executable, "-m", "torch.distributed.run", "--standalone"),
        *("--nproc_per_node", str(n_processes), str(SCRIPT), "--cpu"),
        *args,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def _reconstruction_error(module: AutoencoderModule, X: np.ndarray) -> float:
    with torch.inference_mode():
        X = torch.from_numpy(X)
        reconstruction, _ = module.eval()(X)
        return float(((reconstruction - X) ** 2).sum(dim=1).mean())


def test_two_processes_train_one_model(tmp_path):
    X = load_digits()[0]
    np.save(tmp_path / "X.npy", X)
    out = tmp_path / "sae.pt"
    result = _launch(
        *("--data", str(tmp_path / "X.npy"), "--out", str(out)),
        *("--n-components", str(N_COMPONENTS), "--epochs", "10"),
        *("--batch-size", "32"),
        n_processes=2,
    )
    assert "trained on 2 process(es)" in result.stdout
    # Each process trained on half of every epoch; averaged gradients kept the
    # two replicas equal to the last bit.
    assert "replicas identical: True" in result.stdout

    module = AutoencoderModule(
        AutoencoderConfig(n_features=X.shape[1], n_components=N_COMPONENTS)
    )
    module.load_state_dict(torch.load(out))
    mean_image_error = float(((X - X.mean(axis=0)) ** 2).sum(axis=1).mean())
    assert _reconstruction_error(module, X) < 0.8 * mean_image_error
