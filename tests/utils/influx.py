"""InfluxDB's HTTP API through urllib: the tests' own client (05 uses influxdb-client)."""

import csv
import json
import urllib.request
from urllib.parse import quote

from utils.settings import SETTINGS


class InfluxHTTP:
    def __init__(self):
        self.url = SETTINGS["INFLUXDB_URL"].rstrip("/")
        self.token = SETTINGS["INFLUXDB_TOKEN"]
        self.org = SETTINGS["INFLUXDB_ORG"]
        self.bucket = SETTINGS["INFLUXDB_BUCKET"]

    def request(self, path, body=None, content_type="application/json", accept=None, method=None):
        headers = {"Authorization": f"Token {self.token}", "Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.read().decode()

    def flux(self, query):
        """Run Flux; return the rows of the annotated-CSV answer as dicts."""
        text = self.request(
            f"/api/v2/query?org={quote(self.org)}",
            json.dumps({"query": query, "dialect": {"annotations": []}}),
            accept="application/csv",
        )
        rows, header = [], None
        for record in csv.reader(text.splitlines()):
            if not record or not any(record):
                header = None  # a blank line separates tables, each with its own header
            elif header is None:
                header = record
            else:
                rows.append(dict(zip(header, record, strict=True)))
        return rows

    def count(self, bucket, measurement, start="1970-01-01T00:00:00Z", stop="now()"):
        """How many values of `measurement` the bucket holds between start and stop."""
        rows = self.flux(
            f'from(bucket: "{bucket}") |> range(start: {start}, stop: {stop})'
            f' |> filter(fn: (r) => r._measurement == "{measurement}")'
            " |> group() |> count()"
        )
        return int(rows[0]["_value"]) if rows else 0
