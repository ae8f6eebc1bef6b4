#!/usr/bin/env python3
"""Query a time series with Flux: a time range, a filter, and a mean per 15-minute window.

Run:   cd lesson-17/05 && python3 write.py && python3 query.py
Needs: InfluxDB 2 (`make services` from the repository root); pip install -r requirements.txt
Settings: INFLUXDB_URL, INFLUXDB_TOKEN, INFLUXDB_ORG, INFLUXDB_BUCKET (.env).
"""

import sys

from influxdb_client.rest import ApiException

from settings import bucket, check_message, connect, run

# [start:flux]
# The hour write.py wrote, the two fields, a mean per 15-minute window, one row per
# sensor and window. `bucket` is a parameter: the client sends its value apart.
MEANS = """
from(bucket: bucket)
  |> range(start: 2026-01-01T08:00:00Z, stop: 2026-01-01T09:00:00Z)
  |> filter(fn: (r) => r._measurement == "environment")
  |> filter(fn: (r) => r._field == "temperature" or r._field == "humidity")
  |> aggregateWindow(every: 15m, fn: mean, createEmpty: false, timeSrc: "_start")
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["sensor", "_time"])
"""
# [end:flux]
# aggregateWindow stamps each mean with its window's end by default; timeSrc: "_start"
# stamps it with the start, so the mean of 08:00-08:15 reads 08:00, as a person reads
# a table. pivot turns the two fields' rows into two columns of one row.


def main():
    target = bucket()
    with connect() as client:  # URL, token and org from .env
        try:
            # [start:query]
            tables = client.query_api().query(MEANS, params={"bucket": target})
            # [end:query]
        except ApiException as exc:
            reason = exc.message or exc.reason
            sys.exit(
                f"error: InfluxDB refused the query: {exc.status} {reason}. "
                + check_message(exc.status, reason)
            )

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
