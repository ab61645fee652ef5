"""Sphinx configuration for the sparse-ae documentation.

Build (offline, warnings are errors, examples executed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

While editing prose, skip running the gallery scripts::

    python -m sphinx -W -b html -D plot_gallery=0 docs docs/_build/html

Cross-links to scikit-learn, PyTorch, NumPy and skorch (intersphinx, and
sphinx-gallery's links from example code to their API pages) need their
``objects.inv`` inventories from the web. A failed fetch is a Sphinx warning,
which ``-W`` turns into a failed build, so they are only requested when
``SPARSE_AE_DOCS_ONLINE=1`` is set (as on a documentation host). Offline, such
references render as plain code: ``nitpicky`` is off, so an unresolved
reference to an external name is silent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the checkout being built, even without ``pip install -e .``.
sys.path.insert(0, str(ROOT))

import sparse_ae  # noqa: E402

ONLINE = os.environ.get("SPARSE_AE_DOCS_ONLINE") == "1"

# -- Project -----------------------------------------------------------------

project = "sparse-ae"
author = "The sparse-ae developers"
copyright = "The sparse-ae developers"  # noqa: A001 (Sphinx's own name)
release = sparse_ae.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    # ``python -m sphinx -b doctest`` runs the pages' ``.. doctest::`` blocks.
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
if ONLINE:
    extensions.append("sphinx.ext.intersphinx")

templates_path = ["_templates"]
exclude_patterns = ["_build"]
root_doc = "index"
default_role = "code"
nitpicky = False

# -- autodoc / autosummary / numpydoc ----------------------------------------

autosummary_generate = True
# numpydoc's "Parameters" sections give the types; type hints in the
# signatures would repeat them, at length.
autodoc_typehints = "none"
numpydoc_show_class_members = True
numpydoc_show_inherited_class_members = True
# Tables of methods without a toctree: the methods are documented on the
# class's own page, so they need no pages of their own.
numpydoc_class_members_toctree = False
# Linking types such as "array-like" or "bool" needs the external inventories
# (numpydoc's defaults point some at glossary terms and labels, which warn when
# unresolved, even without ``nitpicky``); keep types as text.
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# ``-b doctest`` runs the ``.. doctest::`` blocks of these pages only; the
# docstrings' examples are run by pytest (``--doctest-modules``), in their
# modules' namespaces.
doctest_test_doctest_blocks = ""

# -- intersphinx (online builds only) ----------------------------------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", None),
}
# Seconds per inventory: a slow host should not stall the build for long.
intersphinx_timeout = 5

# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # Mini-galleries on the API pages: which examples use which function.
    "doc_module": ("sparse_ae",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sparse_ae": None},
    "min_reported_time": 1,
    "remove_config_comments": True,
    # Each example starts from matplotlib's default settings.
    "reset_modules": ("matplotlib",),
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sparse-ae {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_show_sourcelink = False


# -- Quick builds ------------------------------------------------------------


def _allow_missing_gallery_images(app, config) -> None:
    """With ``-D plot_gallery=0`` the examples do not run, so the figures that
    the user guide shows from them do not exist; a missing image is then
    expected, not an error. A full build still fails on one."""
    if str(config.plot_gallery).lower() in ("0", "false"):
        config.suppress_warnings = [*config.suppress_warnings, "image.not_readable"]


def setup(app) -> None:
    app.connect("config-inited", _allow_missing_gallery_images)
