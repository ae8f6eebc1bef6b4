"""unique_visitors_per_day counts views per day, not distinct visitors: a visitor who
came back is counted twice."""

CAUGHT_BY = "test_unique_visitors_per_day"


def unique_visitors_per_day(client, bucket, start, stop):
    flux = """
  |> group()
  |> window(every: 1d)
  |> count()
"""
    found = rows(client, flux, bucket, start, stop)  # noqa: F821
    return {row["_start"].date(): row["_value"] for row in found}
