"""InfluxDB settings of section 05, from the environment or .env, and the client they make.

Imported by the scripts of this folder; importing it contacts no server. A missing or
malformed setting, or a server that is down, ends the script with one line that names
the setting and where its value came from; connect() also keeps the batching writer's
own error log quiet, since the scripts report a refused write in one line themselves.
"""

import logging
import os
import platform
import re
import runpy
import sys
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values, find_dotenv, load_dotenv
from influxdb_client import InfluxDBClient

EXPORTED = frozenset(os.environ)  # names exported before .env is read: they win over .env
load_dotenv()  # this folder's .env if you made one, else the repository's; contacts nothing
# Is a server on this machine this checkout's own? Asked before a password, key or token is
# sent, by one check for every section: the checkout's tools/listener_check.py (standard
# library only). A section copied out of the checkout has none, and no servers of its own.
CHECK = Path(__file__).resolve().parents[2] / "tools" / "listener_check.py"
OWN_SERVER = runpy.run_path(str(CHECK)) if CHECK.is_file() else {"refusal": lambda *at: None}


def task(name):
    """A command of the repository root as this OS types it: `make NAME`, or in Windows'
    PowerShell, which has no make, `py tasks.py NAME`."""
    return f"py tasks.py {name}" if platform.system() == "Windows" else f"make {name}"


HOW_TO_START = f"Start it with `{task('services')}` (from the repository root)."


def run(script):
    """A script of this folder as this OS runs it here: `python3 write.py`; in Windows'
    PowerShell (.venv activated, as the README shows) `python write.py`."""
    return f"python {script}" if platform.system() == "Windows" else f"python3 {script}"


def where(name):
    """Where a setting came from, for error messages."""
    if name in EXPORTED:
        return f"{name} (exported in your shell, which overrides .env)"
    return f"{name} in .env" if name in dotenv_values(find_dotenv()) else f"{name} (default)"


def check_message(status, reason):
    """What to check, by what the server refused: the token (401), the org or the bucket
    (its message names the one it did not find)."""
    if status == 401 and "INFLUXDB_TOKEN" in EXPORTED:
        windows = platform.system() == "Windows"
        unset = "Remove-Item Env:INFLUXDB_TOKEN" if windows else "unset INFLUXDB_TOKEN"
        return f"Check {where('INFLUXDB_TOKEN')}: `{unset}` to use .env's."
    if status == 401:
        return (
            f"Check {where('INFLUXDB_TOKEN')}: `{task('services')}` (from the repository "
            "root) makes the lesson's token and writes it into .env"
        )
    for name, word in (("INFLUXDB_ORG", "organization"), ("INFLUXDB_BUCKET", "bucket")):
        if word in str(reason):
            return f"Check {where(name)}."
    names = ", ".join(where(n) for n in ("INFLUXDB_TOKEN", "INFLUXDB_ORG", "INFLUXDB_BUCKET"))
    return f"Check {names}."


def bucket():
    return os.getenv("INFLUXDB_BUCKET", "sensors")


def token():
    """The API token, from the environment or .env; no default in the code."""
    value = os.getenv("INFLUXDB_TOKEN")
    if not value:
        sys.exit(
            f"error: INFLUXDB_TOKEN is not set: `{task('services')}` makes the lesson's token and "
            "writes it into .env at the root"
        )
    return value


def connect():
    """An InfluxDBClient for the configured server; exits with one line if it is down."""
    url = os.getenv("INFLUXDB_URL", "http://127.0.0.1:8086")
    if not re.fullmatch(r"https?://[^/:\s]+(:\d+)?/?", url):
        sys.exit(f"error: {where('INFLUXDB_URL')} must look like http://host:port, not {url!r}")
    endpoint = urlsplit(url)  # the token goes with every request, the first one too
    problem = OWN_SERVER["refusal"]("influxdb", endpoint.hostname, endpoint.port or 80)
    if problem:
        sys.exit(f"error: InfluxDB at {url}: {problem}")
    client = InfluxDBClient(
        url=url,
        token=token(),
        org=os.getenv("INFLUXDB_ORG", "lesson17"),
    )
    if not client.ping():
        client.close()
        sys.exit(f"error: cannot reach InfluxDB at {url}. {HOW_TO_START}")
    # A failed batch reaches the writer's error_callback, where the scripts report it in
    # one line; silence the client's own log of it (set after the client is made: the
    # client sets its loggers' levels when it starts).
    logging.getLogger("influxdb_client.client.write_api").setLevel(logging.CRITICAL)
    return client
