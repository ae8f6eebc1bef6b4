"""views_per_hour counts without group(): Flux counts each page's views per hour, and the
dict keeps one page's count for each hour, not the total."""

CAUGHT_BY = "test_generated_views_match_the_reference"


def views_per_hour(client, bucket, start, stop):
    flux = """
  |> aggregateWindow(every: 1h, fn: count, createEmpty: false, timeSrc: "_start")
"""
    return {row["_time"]: row["_value"] for row in rows(client, flux, bucket, start, stop)}  # noqa: F821
