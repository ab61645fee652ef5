"""``python -m sparse_ae``: the same command line as the ``sparse-ae`` script."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m sparse_ae"))
