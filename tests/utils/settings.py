"""The settings the scripts see: .env.example's defaults, then .env, then the environment.

In a parallel run (pytest-xdist: `make test`), each worker process works in its own
namespace on the shared servers: its own MySQL database, InfluxDB bucket and DynamoDB
access key (DynamoDB Local keeps one set of tables per key). They are exported here,
before anything reads them, so that every script, tool and exercise a test starts
inherits them; tests/conftest.py creates the database and the bucket.
"""

import os

from dotenv import dotenv_values

from tools.services.common import ROOT
from tools.services.env_settings import read_settings

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ...; empty when serial
NAMESPACE = ("AWS_ACCESS_KEY_ID", "INFLUXDB_BUCKET", "MYSQL_DATABASE") if WORKER else ()


CONFIGURED = read_settings()  # the service manager's reader: as the student has them
if WORKER:
    os.environ["MYSQL_DATABASE"] = f"{CONFIGURED['MYSQL_DATABASE']}_{WORKER}"  # demo_gw0:
    # the lesson's user has every right on demo_* (tools/services/mysql_server.py)
    os.environ["INFLUXDB_BUCKET"] = f"{CONFIGURED['INFLUXDB_BUCKET']}_{WORKER}"
    os.environ["AWS_ACCESS_KEY_ID"] = f"{CONFIGURED['AWS_ACCESS_KEY_ID']}{WORKER}"  # alphanumeric
SETTINGS = read_settings()
DEFAULTS = dotenv_values(ROOT / ".env.example")  # what the lesson README shows


def addresses(settings):
    """Where the three servers are, as the scripts print them."""
    return [
        f"{settings['MYSQL_HOST']}:{settings['MYSQL_PORT']}",
        settings["DYNAMODB_HOST"],
        settings["INFLUXDB_URL"],
    ]


def as_configured(text):
    """What a script printed, with this worker's names put back as the student's
    (demo_gw0 -> demo, sensors_gw0 -> sensors), and the servers' addresses as
    .env.example has them (a checkout that moved its servers to other ports, as parallel
    checkouts on one machine must): what the lesson README shows."""
    for name in NAMESPACE:
        text = text.replace(SETTINGS[name], CONFIGURED[name])
    for used, shown in zip(addresses(SETTINGS), addresses(DEFAULTS), strict=True):
        if used and used != shown:
            text = text.replace(used, shown)
    return text


def exported_note(*names):
    """The service manager's note on settings exported in the shell: the test's own, and
    a worker's namespace."""
    return "note: exported in your shell, overriding .env: " + ", ".join(
        sorted({*names, *NAMESPACE})
    )


START = "make services"
CLOSED_PORT = "1"  # nothing listens on port 1 of the loopback address
