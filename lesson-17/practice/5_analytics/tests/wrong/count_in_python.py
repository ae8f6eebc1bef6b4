"""views_per_hour fetches every raw view and counts them in Python: the right numbers,
after InfluxDB sent 400 records to answer with 48."""

from collections import Counter

CAUGHT_BY = "test_views_per_hour"


def views_per_hour(client, bucket, start, stop):
    views = rows(client, "", bucket, start, stop)  # noqa: F821
    return dict(Counter(row["_time"].replace(minute=0, second=0) for row in views))
