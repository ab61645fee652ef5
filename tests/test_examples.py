"""The gallery scripts in ``examples/``: each runs to the end and draws.

The scripts run in this process, with the Agg backend and
``SPARSE_AE_EXAMPLE_QUICK=1`` so that they train for a couple of epochs only;
the gallery itself runs their full settings.
"""

import ast
import runpy
import struct
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
EXPECTED = {
    "plot_denoising.py",
    "plot_learned_features.py",
    "plot_pca_vs_sae.py",
    "plot_pipeline_grid_search.py",
    "plot_sparsity_tradeoff.py",
}


@pytest.fixture
def run_example(monkeypatch, tmp_path):
    """Run an example in quick mode; return the number of figures it drew.

    The examples pin PyTorch and the BLAS to one thread for the rest of the
    process, as a gallery build wants; the fixture restores both afterwards so
    that later tests run as they would alone.
    """

    def run(path: Path, data_dir: Path | None = None) -> int:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("SPARSE_AE_EXAMPLE_QUICK", "1")
        monkeypatch.delenv("SPARSE_AE_DATA", raising=False)
        if data_dir is None:
            monkeypatch.delenv("SPARSE_AE_EXAMPLE_DATA", raising=False)
        else:
            monkeypatch.setenv("SPARSE_AE_EXAMPLE_DATA", str(data_dir))
        plt.close("all")
        runpy.run_path(str(path), run_name="__main__")
        return len(plt.get_fignums())

    n_threads = torch.get_num_threads()
    with threadpool_limits(limits=None):
        yield run
    torch.set_num_threads(n_threads)
    plt.close("all")


@pytest.fixture(scope="module")
def mnist_like_dir(tmp_path_factory):
    """A folder with MNIST-format test files: 200 random 28 x 28 images."""
    folder = tmp_path_factory.mktemp("mnist")
    rng = np.random.default_rng(0)
    n_images = 200
    images = rng.integers(0, 256, size=(n_images, 28, 28), dtype=np.uint8)
    labels = np.arange(n_images, dtype=np.uint8) % 10
    # IDX header: two zero bytes, the type code 8 (unsigned byte), the number
    # of dimensions, then each dimension as a big-endian 32-bit integer.
    (folder / "t10k-images-idx3-ubyte").write_bytes(
        struct.pack(">4B3I", 0, 0, 8, 3, n_images, 28, 28) + images.tobytes()
    )
    (folder / "t10k-labels-idx1-ubyte").write_bytes(
        struct.pack(">4BI", 0, 0, 8, 1, n_images) + labels.tobytes()
    )
    return folder


def test_gallery_holds_the_documented_examples():
    assert {path.name for path in EXAMPLES} == EXPECTED


def test_gallery_has_a_header_for_sphinx_gallery():
    header = (ROOT / "examples" / "README.rst").read_text()
    title, underline = header.splitlines()[:2]
    assert title and set(underline) == {"="} and len(underline) >= len(title)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_docstring_has_a_title_and_documents_the_data_variable(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()), clean=True)
    overline, title, underline = docstring.splitlines()[:3]
    assert set(overline) == set(underline) == {"="} and title.strip()
    # reStructuredText rejects a title longer than its over- and underline.
    assert len(overline) >= len(title) and len(underline) >= len(title)
    assert "SPARSE_AE_EXAMPLE_DATA" in docstring


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_is_split_into_commented_cells(path):
    assert path.read_text().count("\n# %%\n") >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs_on_the_digits_and_draws_figures(path, run_example, capsys):
    assert run_example(path) >= 1
    assert "(1347, 64)" in capsys.readouterr().out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs_on_mnist_files_from_the_data_variable(
    path, run_example, capsys, mnist_like_dir
):
    assert run_example(path, data_dir=mnist_like_dir) >= 1
    assert ", 784)" in capsys.readouterr().out
