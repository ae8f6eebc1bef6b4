#!/usr/bin/env python3
"""Print the path of a real Docker Compose CLI, building it once when none is installed.

    python3 -m tools.services.compose_cli

The tests validate the compose files with `docker compose config`; machines without
Docker get the same Compose, built from the Go module proxy into the user's cache.
"""

import sys

from .builds import compose_plugin_present, print_built_tool
from .common import CACHE

MODULE, VERSION = "github.com/docker/compose/v5", "v5.6.0"
BINARY = CACHE / f"docker-compose-{VERSION}" / "docker-compose"


def main():
    if compose_plugin_present():
        print("docker compose")
        return 0
    return print_built_tool(MODULE, VERSION, "./cmd", BINARY, "compose", "about 1.5 minutes")


if __name__ == "__main__":
    sys.exit(main())
