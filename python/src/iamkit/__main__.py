"""``python -m iamkit serve …``: the same command as ``iamkit``."""

from iamkit.cli import main

main()
