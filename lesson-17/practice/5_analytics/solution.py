"""Exercise 5, reference solution. Try the starter first: this is one way, not the way."""

from influxdb_client import Point, WriteOptions

MEASUREMENT = "pageview"
VIEWS = """
from(bucket: bucket)
  |> range(start: start, stop: stop)
  |> filter(fn: (r) => r._measurement == "pageview" and r._field == "visitor")
"""


def rows(client, flux, bucket, start, stop):
    params = {"bucket": bucket, "start": start, "stop": stop}
    tables = client.query_api().query(VIEWS + flux, params=params)
    return [record.values for table in tables for record in table.records]


def write_page_views(client, bucket, views):
    points = [
        Point(MEASUREMENT).tag("page", page).field("visitor", visitor).time(time)
        for time, page, visitor in views
    ]
    with client.write_api(write_options=WriteOptions(batch_size=500)) as write_api:
        write_api.write(bucket=bucket, record=points)
    return len(points)


def views_per_hour(client, bucket, start, stop):
    flux = """
  |> group()
  |> aggregateWindow(every: 1h, fn: count, createEmpty: false, timeSrc: "_start")
"""
    return {row["_time"]: row["_value"] for row in rows(client, flux, bucket, start, stop)}


def top_pages(client, bucket, start, stop, n=3):
    flux = """
  |> group(columns: ["page"])
  |> count()
  |> group()
"""
    counts = [(row["page"], row["_value"]) for row in rows(client, flux, bucket, start, stop)]
    return sorted(counts, key=lambda pc: (-pc[1], pc[0]))[:n]


def unique_visitors_per_day(client, bucket, start, stop):
    flux = """
  |> group()
  |> window(every: 1d)
  |> distinct(column: "_value")
  |> count()
"""
    return {row["_start"].date(): row["_value"] for row in rows(client, flux, bucket, start, stop)}
