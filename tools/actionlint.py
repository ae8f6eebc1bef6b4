#!/usr/bin/env python3
"""Print the path of the real actionlint, building it once from the Go module proxy.

    python3 tools/actionlint.py

The tests check every GitHub Actions workflow with it. Built like the Compose CLI
(tools/services/compose_cli.py) into the user's cache; standard library only.
"""

import contextlib
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "services"))

from common import CACHE, Fail, go_build  # noqa: E402

MODULE, VERSION = "github.com/rhysd/actionlint", "v1.7.12"
BINARY = CACHE / f"actionlint-{VERSION}" / "actionlint"


def main():
    if not BINARY.exists():
        print(f"building actionlint {VERSION} into {BINARY} (once)", file=sys.stderr)
        try:
            with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the path
                go_build(
                    MODULE,
                    VERSION,
                    "./cmd/actionlint",
                    BINARY,
                    name="actionlint",
                    expected="under a minute",
                )
        except Fail as exc:
            shutil.rmtree(BINARY.parent / (BINARY.name + "-build"), ignore_errors=True)
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(BINARY)
    return 0


if __name__ == "__main__":
    sys.exit(main())
