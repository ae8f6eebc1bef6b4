#!/usr/bin/env python3
"""Query a time series with Flux: a time range, a filter, and a mean per 15-minute window.

Run:   cd lesson-17/05 && python3 write.py && python3 query.py
Needs: InfluxDB 2 (`make services` from the repository root); pip install -r requirements.txt
Settings: INFLUXDB_URL, INFLUXDB_TOKEN, INFLUXDB_ORG, INFLUXDB_BUCKET (.env).
"""

import sys

from influxdb_client.rest import ApiException

from sensors import MEANS
from settings import bucket, check_message, connect, run


def main():
    target = bucket()
    with connect() as client:  # settings.py: URL, token and org from .env
        try:
            tables = client.query_api().query(MEANS, params={"bucket": target})
        except ApiException as exc:
            reason = exc.message or exc.reason
            sys.exit(f"error: InfluxDB refused the query: {exc.status} {reason}. {check_message()}")

    rows = [record.values for table in tables for record in table.records]
    if not rows:
        sys.exit(
            f"error: no data in bucket {target!r} for that hour: run `{run('write.py')}` first"
        )
    print(f"Mean per 15 minutes in bucket {target!r}, 2026-01-01 UTC:")
    for row in rows:
        start = row["_time"]
        print(
            f"{row['sensor']:<10} {start:%H:%M}  temperature {row['temperature']:5.2f} C"
            f"  humidity {row['humidity']:5.2f} %"
        )


if __name__ == "__main__":
    main()
