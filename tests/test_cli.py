"""The ``sparse-ae`` command line, run in-process through ``main``."""

import contextlib
import io
import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sparse_ae._cli import main  # noqa: E402

# Small enough that a whole comparison runs in seconds.
TINY = ["--max-iter", "2", "--n-components", "8", "--clf-max-iter", "200"]

FIGURES = {
    "components_sae.png",
    "components_pca.png",
    "reconstructions.png",
    "denoising.png",
    "sparsity.png",
    "loss_curve.png",
}


def run(argv):
    """Run ``main(argv)``; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(err):
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def write_idx_pair(folder, prefix, n_images, seed):
    """Write random 28 x 28 IDX images and labels 0..9 (cycling) to ``folder``."""
    rng = np.random.default_rng(seed)
    header = bytes([0, 0, 8, 3]) + b"".join(
        int(d).to_bytes(4, "big") for d in (n_images, 28, 28)
    )
    pixels = rng.integers(0, 256, size=n_images * 28 * 28, dtype=np.uint8)
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(header + pixels.tobytes())
    labels = (np.arange(n_images) % 10).astype(np.uint8)
    label_header = bytes([0, 0, 8, 1]) + int(n_images).to_bytes(4, "big")
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(
        label_header + labels.tobytes()
    )


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """One quiet comparison on digits: (status, stdout, stderr, out folder)."""
    out = tmp_path_factory.mktemp("compare")
    status, stdout, stderr = run(["compare", *TINY, "--quiet", "--out", str(out)])
    return status, stdout, stderr, out


@pytest.fixture(scope="module")
def results(digits_run):
    return json.loads((digits_run[3] / "results.json").read_text())


@pytest.fixture(scope="module")
def verbose_run(tmp_path_factory):
    """A comparison with progress output and estimator parameters set."""
    out = tmp_path_factory.mktemp("verbose")
    argv = [
        "compare",
        "--max-iter", "1",
        "--n-components", "4",
        "--clf-max-iter", "100",
        "--no-train-noise",
        "--sae-param", "rho=0.1",
        "--sae-param", "sparsity=l1",
        "--out", str(out),
    ]  # fmt: skip
    status, stdout, stderr = run(argv)
    results = json.loads((out / "results.json").read_text())
    return status, stderr, results


# -- a successful comparison ---------------------------------------------------


def test_compare_exits_with_status_zero(digits_run):
    assert digits_run[0] == 0


def test_compare_writes_results_and_figures(digits_run):
    out = digits_run[3]
    written = {path.name for path in out.iterdir()}
    assert written == {"results.json", "results.md", *FIGURES}


def test_compare_figures_are_png_files(digits_run):
    out = digits_run[3]
    for name in FIGURES:
        assert (out / name).read_bytes().startswith(b"\x89PNG")


def test_results_have_one_row_per_model(results):
    assert [row["model"] for row in results["models"]] == ["SAE", "PCA", "raw pixels"]


def test_results_describe_the_digits_split(results):
    assert results["n_train"] + results["n_test"] == 1797
    assert results["n_test"] == 450
    assert results["n_features"] == 64


def test_results_record_the_options(results):
    assert results["sae_params"]["n_components"] == 8
    assert results["sae_n_iter"] == 2
    assert results["pca_n_components"] == 8
    assert results["noise"] == "gaussian"
    assert results["noise_level"] == 0.3


def test_sae_is_trained_on_noisy_images_by_default(results):
    assert results["sae_params"]["noise"] == "gaussian"
    assert results["sae_params"]["noise_level"] == 0.3


def test_models_have_codes_of_the_requested_size(results):
    sizes = {row["model"]: row["n_components"] for row in results["models"]}
    assert sizes == {"SAE": 8, "PCA": 8, "raw pixels": 64}


@pytest.mark.parametrize("model", ["SAE", "PCA"])
def test_model_figures_are_in_range(results, model):
    row = next(row for row in results["models"] if row["model"] == model)
    assert row["variance_explained"] <= 1
    assert row["reconstruction_error"] >= 0
    assert row["reconstruction_mse"] >= 0
    # Per-sample SSE is the MSE summed over the 64 pixels.
    assert row["reconstruction_error"] == pytest.approx(64 * row["reconstruction_mse"])
    assert 0 <= row["accuracy"] <= 1
    assert 0 <= row["active_fraction"] <= 1
    assert 0 <= row["dead_fraction"] <= 1
    assert row["fit_time_s"] > 0
    assert np.isfinite(row["denoising_psnr"])


def test_pca_explains_more_variance_than_the_mean(results):
    pca = next(row for row in results["models"] if row["model"] == "PCA")
    assert pca["variance_explained"] > 0


def test_raw_pixels_row_has_no_reconstruction_figures(results):
    raw = results["models"][-1]
    assert raw["variance_explained"] is None
    assert raw["reconstruction_error"] is None
    assert raw["fit_time_s"] is None


def test_raw_pixels_psnr_is_that_of_the_noisy_input(results):
    raw = results["models"][-1]
    assert raw["denoising_psnr"] == pytest.approx(results["noisy_input_psnr"])


def test_kl_codes_count_as_active_above_one_half(results):
    thresholds = {row["model"]: row["activity_threshold"] for row in results["models"]}
    assert thresholds == {"SAE": 0.5, "PCA": 0.0, "raw pixels": 0.0}


def test_compare_prints_the_table(digits_run):
    stdout = digits_run[1]
    assert stdout.splitlines()[0].startswith("| model")
    for model in ("SAE", "PCA", "raw pixels"):
        assert f"| {model} " in stdout


def test_results_md_holds_the_printed_table(digits_run):
    stdout, out = digits_run[1], digits_run[3]
    assert stdout.strip() in (out / "results.md").read_text()


def test_quiet_writes_nothing_on_stderr(digits_run):
    assert digits_run[2] == ""


def test_compare_leaves_torch_threads_as_they_were(tmp_path):
    import torch

    before = torch.get_num_threads()
    argv = ["compare", "--dataset", "mnist", "--data-dir", str(tmp_path)]
    run([*argv, "--torch-threads", "3", "--out", str(tmp_path / "out")])
    assert torch.get_num_threads() == before


# -- options -------------------------------------------------------------------


def test_progress_bar_shows_without_quiet(verbose_run):
    status, stderr, _ = verbose_run
    assert status == 0
    assert "epoch" in stderr


def test_sae_param_sets_estimator_parameters(verbose_run):
    params = verbose_run[2]["sae_params"]
    assert params["rho"] == 0.1
    assert params["sparsity"] == "l1"


def test_no_train_noise_trains_on_clean_images(verbose_run):
    assert verbose_run[2]["sae_params"]["noise"] is None


def test_mnist_folder_with_t10k_files_only_is_split_80_20(tmp_path):
    write_idx_pair(tmp_path, "t10k", 50, seed=0)
    out = tmp_path / "out"
    argv = ["compare", "--dataset", "mnist", "--data-dir", str(tmp_path), *TINY]
    status, _, _ = run([*argv, "--quiet", "--out", str(out)])
    assert status == 0
    results = json.loads((out / "results.json").read_text())
    assert (results["n_train"], results["n_test"]) == (40, 10)
    assert results["n_features"] == 784


def test_mnist_train_files_are_subsampled_by_n_train(tmp_path):
    write_idx_pair(tmp_path, "train", 60, seed=0)
    write_idx_pair(tmp_path, "t10k", 20, seed=1)
    out = tmp_path / "out"
    argv = ["compare", "--dataset", "mnist", "--data-dir", str(tmp_path), *TINY]
    status, _, _ = run([*argv, "--n-train", "30", "--quiet", "--out", str(out)])
    assert status == 0
    results = json.loads((out / "results.json").read_text())
    assert (results["n_train"], results["n_test"]) == (30, 20)


# -- help ----------------------------------------------------------------------


def test_help_exits_zero_and_lists_compare(capsys):
    assert main(["--help"]) == 0
    assert "compare" in capsys.readouterr().out


def test_compare_help_shows_defaults_and_an_example(capsys):
    assert main(["compare", "--help"]) == 0
    text = capsys.readouterr().out
    assert "(default: gaussian)" in text
    assert "example" in text


def test_python_m_sparse_ae_help_works():
    completed = subprocess.run(
        [sys.executable, "-m", "sparse_ae", "--help"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "compare" in completed.stdout


# -- errors: one line on stderr, status 2 --------------------------------------


def test_unknown_option_is_one_line_error(capsys):
    assert main(["compare", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "--no-such-option" in err


def test_missing_command_is_one_line_error(capsys):
    assert main([]) == 2
    assert_one_line_error(capsys.readouterr().err)


def test_negative_noise_level_is_one_line_error(capsys):
    assert main(["compare", "--noise-level", "-1"]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "--noise-level" in err


def test_unknown_sae_param_is_one_line_error(capsys):
    assert main(["compare", "--sae-param", "no_such_param=1"]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "'no_such_param'" in err


def test_sae_param_for_an_option_of_its_own_is_one_line_error(capsys):
    assert main(["compare", "--sae-param", "n_components=16"]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "--n-components" in err


def test_sae_param_without_value_is_one_line_error(capsys):
    assert main(["compare", "--sae-param", "rho"]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err)
    assert "KEY=VALUE" in err


def test_sae_param_value_the_estimator_rejects_is_one_line_error(tmp_path):
    argv = ["compare", *TINY, "--sae-param", "rho=2.0", "--out", str(tmp_path)]
    status, _, err = run(argv)
    assert status == 2
    assert_one_line_error(err)
    assert "rho" in err


def test_missing_mnist_files_is_one_line_error(tmp_path):
    argv = ["compare", "--dataset", "mnist", "--data-dir", str(tmp_path)]
    status, _, err = run([*argv, "--out", str(tmp_path / "out")])
    assert status == 2
    assert_one_line_error(err)
    assert str(tmp_path) in err


def test_data_dir_with_digits_is_one_line_error(tmp_path):
    argv = ["compare", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")]
    status, _, err = run(argv)
    assert status == 2
    assert_one_line_error(err)
    assert "--data-dir" in err
