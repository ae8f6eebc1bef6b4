#!/usr/bin/env python3
"""Print the path of a real Docker Compose CLI, building it once when none is installed.

    python3 tools/services/compose_cli.py

The tests validate the compose files with `docker compose config`; machines without
Docker get the same Compose, built from the Go module proxy into the user's cache.
"""

import subprocess
import sys

from common import CACHE, Fail, go_build

MODULE, VERSION = "github.com/docker/compose/v5", "v5.6.0"
BINARY = CACHE / f"docker-compose-{VERSION}" / "docker-compose"


def installed_plugin():
    try:
        proc = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def main():
    if installed_plugin():
        print("docker compose")
        return 0
    if not BINARY.exists():
        BINARY.parent.mkdir(parents=True, exist_ok=True)
        print(f"building Docker Compose {VERSION} into {BINARY} (once)", file=sys.stderr)
        try:
            go_build(MODULE, VERSION, "./cmd", BINARY)
        except Fail as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(BINARY)
    return 0


if __name__ == "__main__":
    sys.exit(main())
