"""views_per_hour leaves aggregateWindow's createEmpty at its default (true): every hour
without views comes back with a count of 0, where the contract leaves it out."""

CAUGHT_BY = "test_views_per_hour"


def views_per_hour(client, bucket, start, stop):
    flux = """
  |> group()
  |> aggregateWindow(every: 1h, fn: count, timeSrc: "_start")
"""
    return {row["_time"]: row["_value"] for row in rows(client, flux, bucket, start, stop)}  # noqa: F821
