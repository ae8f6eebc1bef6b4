"""Exercise 5 tests, on InfluxDB: every answer is recomputed here from the raw views."""

import os
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from influxdb_client import InfluxDBClient

BUCKET = "practice_analytics"
START = datetime(2026, 2, 1, tzinfo=UTC)
STOP = START + timedelta(days=2)
PAGES = ["/home", "/docs", "/blog", "/pricing", "/about"]


def make_views():
    """400 views over two days, at distinct seconds, with a favourite page or two."""
    rng = random.Random(17)
    seconds = sorted(rng.sample(range(2 * 86400), 400))
    return [
        (
            START + timedelta(seconds=s),
            rng.choices(PAGES, weights=[5, 4, 3, 2, 1])[0],
            f"v{rng.randrange(40)}",
        )
        for s in seconds
    ]


VIEWS = make_views()


@pytest.fixture(scope="module")
def client():
    client = InfluxDBClient(
        url=os.getenv("INFLUXDB_URL", "http://127.0.0.1:8086"),
        token=os.environ["INFLUXDB_TOKEN"],  # from .env: `make install` writes it
        org=os.getenv("INFLUXDB_ORG", "lesson17"),
    )
    if client.buckets_api().find_bucket_by_name(BUCKET) is None:
        client.buckets_api().create_bucket(bucket_name=BUCKET, org=client.org)
    yield client
    client.close()


@pytest.fixture
def written(exercise, client):
    client.delete_api().delete(START, STOP, '_measurement="pageview"', bucket=BUCKET)
    return exercise.write_page_views(client, BUCKET, VIEWS)


def test_writes_every_view(exercise, client, written):
    """write_page_views writes every view, all readable back"""
    assert written == len(VIEWS)
    query = (
        f'from(bucket: "{BUCKET}")'
        " |> range(start: 2026-02-01T00:00:00Z, stop: 2026-02-03T00:00:00Z)"
        ' |> filter(fn: (r) => r._measurement == "pageview") |> group() |> count()'
    )
    tables = client.query_api().query(query)
    assert [r.get_value() for t in tables for r in t.records] == [len(VIEWS)]


def test_views_per_hour(exercise, client, written):
    """views_per_hour counts the views in each hour"""
    expected = Counter(time.replace(minute=0, second=0) for time, _, _ in VIEWS)
    assert exercise.views_per_hour(client, BUCKET, START, STOP) == dict(expected)


def test_top_pages(exercise, client, written):
    """top_pages ranks the pages by views over a range"""
    first_day = [page for time, page, _ in VIEWS if time < START + timedelta(days=1)]
    ranked = sorted(Counter(first_day).items(), key=lambda pc: (-pc[1], pc[0]))
    result = exercise.top_pages(client, BUCKET, START, START + timedelta(days=1), n=3)
    assert result == ranked[:3]


def test_unique_visitors_per_day(exercise, client, written):
    """unique_visitors_per_day counts each visitor once a day"""
    days = {}
    for time, _, visitor in VIEWS:
        days.setdefault(time.date(), set()).add(visitor)
    expected = {day: len(visitors) for day, visitors in days.items()}
    assert exercise.unique_visitors_per_day(client, BUCKET, START, STOP) == expected
