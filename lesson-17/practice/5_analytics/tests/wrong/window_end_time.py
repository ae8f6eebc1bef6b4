"""views_per_hour keeps aggregateWindow's default time column, the end of each window:
every count is filed under the next hour."""

CAUGHT_BY = "test_views_per_hour"


def views_per_hour(client, bucket, start, stop):
    flux = """
  |> group()
  |> aggregateWindow(every: 1h, fn: count, createEmpty: false)
"""
    return {row["_time"]: row["_value"] for row in rows(client, flux, bucket, start, stop)}  # noqa: F821
