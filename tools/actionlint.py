#!/usr/bin/env python3
"""Print the path of the real actionlint, building it once from the Go module proxy.

    python3 tools/actionlint.py

The tests check every GitHub Actions workflow with it. Built like the Compose CLI
(tools/services/compose_cli.py) into the user's cache; standard library only.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "services"))

from common import CACHE, print_built_tool  # noqa: E402

MODULE, VERSION = "github.com/rhysd/actionlint", "v1.7.12"
BINARY = CACHE / f"actionlint-{VERSION}" / "actionlint"


def main():
    return print_built_tool(
        MODULE, VERSION, "./cmd/actionlint", BINARY, "actionlint", "under a minute"
    )


if __name__ == "__main__":
    sys.exit(main())
