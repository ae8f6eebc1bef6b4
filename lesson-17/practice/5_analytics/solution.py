"""Exercise 5, reference solution. Try the starter first: this is one way, not the way."""

from influxdb_client import Point
from influxdb_client.client.write_api import SYNCHRONOUS

MEASUREMENT = "pageview"
VIEWS = """
from(bucket: bucket)
  |> range(start: start, stop: stop)
  |> filter(fn: (r) => r._measurement == "pageview" and r._field == "visitor")
"""


def rows(client, flux, bucket, start, stop, **more):
    params = {"bucket": bucket, "start": start, "stop": stop, **more}
    tables = client.query_api().query(VIEWS + flux, params=params)
    return [record.values for table in tables for record in table.records]


def write_page_views(client, bucket, views):
    points = [
        Point(MEASUREMENT).tag("page", page).field("visitor", visitor).time(time)
        for time, page, visitor in views
    ]
    # Synchronous: the list goes in one request, and a refused write raises here.
    client.write_api(write_options=SYNCHRONOUS).write(bucket=bucket, record=points)
    return len(points)


def views_per_hour(client, bucket, start, stop):
    flux = """
  |> group()
  |> aggregateWindow(every: 1h, fn: count, createEmpty: false, timeSrc: "_start")
"""  # timeSrc: each count is stamped with its hour's start (the default is its end)
    return {row["_time"]: row["_value"] for row in rows(client, flux, bucket, start, stop)}


def top_pages(client, bucket, start, stop, n=3):
    flux = """
  |> group(columns: ["page"])
  |> count()
  |> group()
  |> sort(columns: ["page"])
  |> sort(columns: ["_value"], desc: true)
  |> limit(n: n)
"""  # two sorts: by page, then by views; equal counts keep their page order (measured)
    found = rows(client, flux, bucket, start, stop, n=n)
    return [(row["page"], row["_value"]) for row in found]


def unique_visitors_per_day(client, bucket, start, stop):
    flux = """
  |> group()
  |> window(every: 1d)
  |> distinct(column: "_value")
  |> count()
"""
    return {row["_start"].date(): row["_value"] for row in rows(client, flux, bucket, start, stop)}
