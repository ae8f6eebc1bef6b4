#!/usr/bin/env python3
"""Look inside the lesson's databases with a real client, for a class to see.

    python3 -m tools.services.look mysql      the mysql/mariadb client, logged in (make mysql-shell)
    python3 -m tools.services.look dynamodb   every table, its item count and first items
    python3 -m tools.services.look influxdb   the newest points of INFLUXDB_BUCKET

Settings from .env, as everywhere. Runs in the project's .venv: MySQL through its own
command-line client, DynamoDB through botocore, InfluxDB through influxdb-client.
"""

import subprocess
import sys

from ..platforms import command
from .common import Fail
from .env_settings import read_settings, redact
from .servers import SERVERS, by_name, engine


def main(argv):
    names = [server.name for server in SERVERS]
    if len(argv) != 2 or argv[1] not in names:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    server = by_name(argv[1])
    try:
        s, chosen = read_settings(), engine(for_up=False)
        state, detail = server.probe(s)  # before any greeting: a look at nothing says so
        if state == "foreign":  # another program on the port: it was sent nothing
            raise Fail(detail)
        if state == "down":
            raise Fail(
                f"{server.name} is not running at {server.describe(s)} ({detail}): "
                f"`{command('services')}` starts it"
            )
        if state == "refused":
            advice = server.reset_advice(chosen, detail)
            raise Fail(f"{server.name} answers, but refuses {detail}: {advice}")
        code = server.look(s, chosen)
    except Fail as exc:
        print(redact(f"error: {exc}"), file=sys.stderr)
        return 1
    except (OSError, subprocess.SubprocessError) as exc:  # it went away while we looked
        status = command("services-status")
        print(redact(f"error: {server.name}: {exc}. `{status}` says why"), file=sys.stderr)
        return 1
    return code or 0  # the mysql client's own exit code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
