#!/usr/bin/env python3
"""Look inside the lesson's databases with a real client, for a class to see.

    python3 -m tools.services.look mysql      the mysql/mariadb client, logged in (make mysql-shell)
    python3 -m tools.services.look dynamodb   every table, its item count and first items
    python3 -m tools.services.look influxdb   the newest points of INFLUXDB_BUCKET

Settings from .env, as everywhere. Standard library only.
"""

import csv
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import quote

from ..platforms import command
from . import dynamodb_server, mysql_server
from .common import Fail
from .env_settings import read_settings, redact
from .servers import engine

SHOWN = 5  # items per table, points per bucket


def look_mysql(s):
    """Replace this process with the client: interactive on a terminal, or reading stdin."""
    argv = mysql_server.client_argv(s, engine(for_up=False), "--table", s["MYSQL_DATABASE"])
    print(
        f"MySQL at {s['MYSQL_HOST']}:{s['MYSQL_PORT']}, database {s['MYSQL_DATABASE']}: "
        "try SHOW TABLES; and quit with \\q",
        file=sys.stderr,
    )
    os.environ["MYSQL_PWD"] = s["MYSQL_PASSWORD"]
    os.execvp(argv[0], argv)


def plain(value):
    """A DynamoDB attribute value ({"S": "x"}, {"N": "1"}, {"L": [...]}, ...) as plain data."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return float(inner) if "." in inner else int(inner)
    if kind == "L":
        return [plain(v) for v in inner]
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    return inner


def look_dynamodb(s):
    names = dynamodb_server.tables(s)
    print(f"DynamoDB at {s['DYNAMODB_HOST']}: {len(names)} table(s)")
    for name in names:
        count = dynamodb_server.call(s, "Scan", {"TableName": name, "Select": "COUNT"})["Count"]
        items = dynamodb_server.call(s, "Scan", {"TableName": name, "Limit": SHOWN})["Items"]
        print(f"\n{name}: {count} item(s)")
        for item in items:
            print("  " + json.dumps({k: plain(v) for k, v in sorted(item.items())}))


WEB_UI = {
    "docker": "its web UI is at {url} too: log in with .env's INFLUXDB_USERNAME and PASSWORD",
    "native": "the native build has no web UI; this is the command-line look",
}


def look_influxdb(s):
    flux = (
        f'from(bucket: "{s["INFLUXDB_BUCKET"]}") |> range(start: 0)'
        " |> toString() |> group()"  # fields of several types cannot share one table
        f' |> sort(columns: ["_time"], desc: true) |> limit(n: {SHOWN * 4})'
    )
    body = json.dumps({"query": flux, "dialect": {"annotations": []}}).encode()
    url = f"{s['INFLUXDB_URL'].rstrip('/')}/api/v2/query?org={quote(s['INFLUXDB_ORG'])}"
    headers = {
        "Authorization": f"Token {s['INFLUXDB_TOKEN']}",
        "Content-Type": "application/json",
        "Accept": "application/csv",
    }
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=30) as resp:
        rows = list(csv.DictReader(resp.read().decode().splitlines()))
    note = WEB_UI[engine(for_up=False)].format(url=s["INFLUXDB_URL"])
    print(
        f"InfluxDB at {s['INFLUXDB_URL']}, bucket {s['INFLUXDB_BUCKET']}: the newest "
        f"{len(rows)} values ({note})"
    )
    for row in rows:
        skip = ("result", "table", "")
        tags = [f"{k}={v}" for k, v in row.items() if k not in skip and k[0] != "_" and v]
        series = ",".join([row["_measurement"], *tags])
        print(f"  {row['_time']}  {series}  {row['_field']}={row['_value']}")


def main(argv):
    looks = {"mysql": look_mysql, "dynamodb": look_dynamodb, "influxdb": look_influxdb}
    if len(argv) != 2 or argv[1] not in looks:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        looks[argv[1]](read_settings())
    except urllib.error.HTTPError as exc:  # it answered, but refused or failed the request
        print(
            f"error: the server answered {exc.code} {exc.reason}: `{command('doctor')}` checks the "
            "settings in .env",
            file=sys.stderr,
        )
        return 1
    except (Fail, OSError, subprocess.SubprocessError) as exc:
        status = command("services-status")
        print(redact(f"error: {exc}. Is it running? `{status}` says."), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
