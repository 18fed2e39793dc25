"""The ``iamkit`` command: ``iamkit serve …`` with the flags of the Rust binary.

The flags are parsed by the same Rust code as the binary's (``iamkit_server::cli``);
this module only hands over ``sys.argv``.
"""

import sys

from iamkit._native import cli_main


def main() -> None:
    """Runs the command line and exits with its status."""
    sys.exit(cli_main(["iamkit", *sys.argv[1:]]))
