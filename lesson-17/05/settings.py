"""InfluxDB settings of section 05, from the environment or .env, and the client they make.

Imported by write.py and query.py; importing it contacts no server.
"""

import os
import sys

from dotenv import load_dotenv
from influxdb_client import InfluxDBClient

CHECK = "Check INFLUXDB_TOKEN, INFLUXDB_ORG and INFLUXDB_BUCKET in .env."


def bucket():
    load_dotenv()  # this folder's .env if you made one, else the repository's
    return os.getenv("INFLUXDB_BUCKET", "sensors")


def connect():
    """An InfluxDBClient for the configured server; exits with one line if it is down."""
    load_dotenv()
    url = os.getenv("INFLUXDB_URL", "http://localhost:8086")
    client = InfluxDBClient(
        url=url,
        token=os.getenv("INFLUXDB_TOKEN", "lesson17-local-dev-token"),
        org=os.getenv("INFLUXDB_ORG", "lesson17"),
    )
    if not client.ping():
        client.close()
        sys.exit(f"error: cannot reach InfluxDB at {url}. Start it with `make services`.")
    return client
