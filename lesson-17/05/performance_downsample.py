#!/usr/bin/env python3
"""Downsampling and retention: keep raw points for a week, 15-minute means for a year.

Run:   cd lesson-17/05 && python3 performance_downsample.py
Needs: InfluxDB 2 (`make services` from the repository root).

A bucket's retention period deletes older data by itself. The usual pattern: raw
points in a short-lived bucket, and a Flux query that writes their means (`to()`) into
a long-lived one. Here it runs once; then the script makes it an InfluxDB task, which the
server runs every hour by itself.
"""

from datetime import UTC, datetime, timedelta

from influxdb_client import BucketRetentionRules, TaskCreateRequest
from influxdb_client.client.write_api import SYNCHRONOUS

from sensors import MINUTES, SENSORS, values
from settings import connect

RAW, DOWNSAMPLED = "sensors_recent", "sensors_downsampled"
RETENTION = {RAW: timedelta(days=7), DOWNSAMPLED: timedelta(days=365)}
# [start:downsample]
DOWNSAMPLE = """
from(bucket: raw)
  |> range(start: start, stop: stop)
  |> filter(fn: (r) => r._measurement == "environment")
  |> aggregateWindow(every: 15m, fn: mean, createEmpty: false, timeSrc: "_start")
  |> to(bucket: downsampled)
"""
# [end:downsample]
# The same downsampling as an InfluxDB task: the server runs it every hour by itself,
# each time on the hour just gone (task.every), with no script running. Flux reads a
# script from the top, so the task's option comes before the query that uses it.
# [start:task]
TASK = "downsample sensors_recent"
TASK_FLUX = f"""
option task = {{name: "{TASK}", every: 1h}}

from(bucket: "{RAW}")
  |> range(start: -task.every)
  |> filter(fn: (r) => r._measurement == "environment")
  |> aggregateWindow(every: 15m, fn: mean, createEmpty: false, timeSrc: "_start")
  |> to(bucket: "{DOWNSAMPLED}")
"""
# [end:task]
COUNT = """
from(bucket: bucket)
  |> range(start: start, stop: stop)
  |> filter(fn: (r) => r._measurement == "environment")
  |> group()
  |> count()
"""


def raw_points(start):
    """The sample hour of sensors.py, as dicts: a form the client takes besides Point."""
    return [
        {
            "measurement": "environment",
            "tags": {"sensor": sensor},
            "fields": {"temperature": temperature, "humidity": humidity},
            "time": when,
        }
        for sensor, when, temperature, humidity in values(start)
    ]


def ensure_bucket(client, name, keep):
    """Create the bucket with its retention period, or set the period if it exists."""
    api = client.buckets_api()
    # [start:retention]
    rule = BucketRetentionRules(type="expire", every_seconds=int(keep.total_seconds()))
    # [end:retention]
    found = api.find_bucket_by_name(name)
    if found is None:
        api.create_bucket(bucket_name=name, retention_rules=rule, org=client.org)
    else:
        found.retention_rules = [rule]
        api.update_bucket(found)


def schedule(client):
    """Create the task (replacing one an earlier run made); InfluxDB keeps and runs it."""
    tasks = client.tasks_api()
    for earlier in tasks.find_tasks(name=TASK):
        tasks.delete_task(earlier.id)
    org = client.organizations_api().find_organizations(org=client.org)[0]
    # [start:schedule]
    request = TaskCreateRequest(flux=TASK_FLUX, org_id=org.id, status="active")
    return tasks.create_task(task_create_request=request)
    # [end:schedule]


def count(client, bucket, start, stop):
    params = {"bucket": bucket, "start": start, "stop": stop}
    tables = client.query_api().query(COUNT, params=params)
    return sum(record.get_value() for table in tables for record in table.records)


def main():
    # The last full hour: older points than a week would be refused by RAW's retention.
    stop = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = stop - timedelta(hours=1)
    with connect() as client:
        for name, keep in RETENTION.items():
            ensure_bucket(client, name, keep)
        print(
            f"Bucket {RAW} keeps points {RETENTION[RAW].days} days, "
            f"{DOWNSAMPLED} {RETENTION[DOWNSAMPLED].days} days"
        )

        # Synchronous: the whole list in one request, and a refused write raises here
        # (the batching writer only logs its errors, unless given an error_callback).
        client.write_api(write_options=SYNCHRONOUS).write(bucket=RAW, record=raw_points(start))
        raw = count(client, RAW, start, stop)
        print(f"Raw: {raw} values in {RAW} ({len(SENSORS)} sensors x {MINUTES} minutes x 2 fields)")

        params = {"raw": RAW, "downsampled": DOWNSAMPLED, "start": start, "stop": stop}
        client.query_api().query(DOWNSAMPLE, params=params)
        means = count(client, DOWNSAMPLED, start, stop)
        print(f"Downsampled: {means} means in {DOWNSAMPLED}, {raw // means} times fewer to keep")
        task = schedule(client)
        print(f"Task {task.name!r}: InfluxDB runs it every {task.every}, by itself")


if __name__ == "__main__":
    main()
