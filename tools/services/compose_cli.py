#!/usr/bin/env python3
"""Print the path of a real Docker Compose CLI, building it once when none is installed.

    python3 tools/services/compose_cli.py

The tests validate the compose files with `docker compose config`; machines without
Docker get the same Compose, built from the Go module proxy into the user's cache.
"""

import contextlib
import sys

from common import CACHE, Fail, compose_plugin_present, go_build

MODULE, VERSION = "github.com/docker/compose/v5", "v5.6.0"
BINARY = CACHE / f"docker-compose-{VERSION}" / "docker-compose"


def main():
    if compose_plugin_present():
        print("docker compose")
        return 0
    if not BINARY.exists():
        print(f"building Docker Compose {VERSION} into {BINARY} (once)", file=sys.stderr)
        try:
            with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the path
                go_build(
                    MODULE, VERSION, "./cmd", BINARY, name="compose", expected="about 1.5 minutes"
                )
        except Fail as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(BINARY)
    return 0


if __name__ == "__main__":
    sys.exit(main())
