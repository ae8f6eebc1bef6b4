"""Exercise 5 tests, on InfluxDB: every answer is recomputed here from the raw views, and
Flux must do the counting: a function may receive no more records than its answer has."""

import os
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from influxdb_client import InfluxDBClient, Point
from influxdb_client.client.flux_table import FluxRecord
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.service.write_service import WriteService

BUCKET = "practice_analytics"
START = datetime(2026, 2, 1, tzinfo=UTC)
STOP = START + timedelta(days=2)
PAGES = ["/home", "/docs", "/blog", "/pricing", "/about"]


def make_views(start):
    """400 views over two days, at distinct seconds, with a favourite page or two, and
    40 more, each in the same second as another view of the same page."""
    rng = random.Random(17)
    seconds = sorted(rng.sample(range(2 * 86400), 400))
    views = [
        (
            start + timedelta(seconds=s),
            rng.choices(PAGES, weights=[5, 4, 3, 2, 1])[0],
            f"v{rng.randrange(40)}",
        )
        for s in seconds
    ]
    again = [(t + timedelta(microseconds=250_000), p, f"v{rng.randrange(40)}") for t, p, _ in views]
    return sorted(views + again[::10])


VIEWS = make_views(START)


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def given_views(client):
    """VIEWS written once, by the tests' own writer (not the exercise's)."""
    client.delete_api().delete(START, STOP, '_measurement="pageview"', bucket=BUCKET)
    points = [
        Point("pageview").tag("page", page).field("visitor", visitor).time(time)
        for time, page, visitor in VIEWS
    ]
    client.write_api(write_options=SYNCHRONOUS).write(bucket=BUCKET, record=points)


@pytest.fixture
def records(monkeypatch):
    """records() -> how many Flux records the client has parsed since the fixture began."""
    parsed = []
    init = FluxRecord.__init__

    def counted(self, *args, **kwargs):
        parsed.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(FluxRecord, "__init__", counted)
    return lambda: len(parsed)


def fetched(records, answer, what):
    got = records()
    assert got <= max(len(answer), 1), (
        f"{what} received {got} records from InfluxDB for an answer of {len(answer)}: let "
        "Flux do the counting and pass back only the answer"
    )


@pytest.mark.about("write_page_views")
def test_writes_every_view(exercise, client, monkeypatch):
    """write_page_views writes every view, all readable back, in one request"""
    start = START - timedelta(days=10)  # a range of its own, apart from the given views
    client.delete_api().delete(start, start + timedelta(days=2), "", bucket=BUCKET)
    requests = []
    post_write = WriteService.post_write

    def counted(self, *args, **kwargs):
        requests.append(1)
        return post_write(self, *args, **kwargs)

    monkeypatch.setattr(WriteService, "post_write", counted)
    written = exercise.write_page_views(client, BUCKET, make_views(start))
    assert written == 440, f"write_page_views should return 440, the number of views: got {written}"
    tables = client.query_api().query(
        f'from(bucket: "{BUCKET}") |> range(start: {start.isoformat()}, stop: '
        f"{(start + timedelta(days=2)).isoformat()}) |> filter(fn: (r) => r._measurement == "
        '"pageview" and r._field == "visitor") |> group() |> count()'
    )
    found = [r.get_value() for t in tables for r in t.records] or [0]
    assert found == [440], (
        f"InfluxDB holds {found[0]} of the 440 views once write_page_views has returned: "
        "a batching writer must be closed (flushed) before it returns, and two views of one "
        "page in the same second are two points only with their time to the microsecond "
        "(the default, nanosecond precision)"
    )
    assert len(requests) == 1, (
        f"write_page_views sent {len(requests)} write requests for 440 views: a list of "
        "points goes in one request"
    )


@pytest.mark.about("views_per_hour")
def test_views_per_hour(exercise, client, given_views, records):
    """views_per_hour counts the views in each hour"""
    want = dict(Counter(time.replace(minute=0, second=0, microsecond=0) for time, _, _ in VIEWS))
    got = exercise.views_per_hour(client, BUCKET, START, STOP)
    assert got == want, f"expected {len(want)} hours {sorted(want.items())[:3]}..., got {got}"
    fetched(records, want, "views_per_hour")
    later = exercise.views_per_hour(client, BUCKET, START, STOP + timedelta(hours=3))
    assert later == want, (
        "views_per_hour over the same views and 3 more hours without any should leave "
        f"those hours out; it added {sorted(set(later.items()) - set(want.items()))}"
    )


@pytest.mark.about("top_pages")
def test_top_pages(exercise, client, given_views, records):
    """top_pages ranks the pages by views over a range"""
    first_day = [page for time, page, _ in VIEWS if time < START + timedelta(days=1)]
    want = sorted(Counter(first_day).items(), key=lambda pc: (-pc[1], pc[0]))[:3]
    got = exercise.top_pages(client, BUCKET, START, START + timedelta(days=1), n=3)
    got = [tuple(row) for row in got]
    assert got == want, f"expected {want}, got {got}"
    fetched(records, want, "top_pages(n=3)")


@pytest.mark.about("unique_visitors_per_day")
def test_unique_visitors_per_day(exercise, client, given_views, records):
    """unique_visitors_per_day counts each visitor once a day"""
    days = {}
    for time, _, visitor in VIEWS:
        days.setdefault(time.date(), set()).add(visitor)
    want = {day: len(visitors) for day, visitors in days.items()}
    got = exercise.unique_visitors_per_day(client, BUCKET, START, STOP)
    assert got == want, f"expected {want}, got {got}"
    fetched(records, want, "unique_visitors_per_day")


# --- generated views, compared with the reference solution ---

DAY = timedelta(days=1)
GENERATED = START + timedelta(days=30)  # each case in four days of its own from here
VIEW = st.tuples(
    # the hour: few views over 48 hours leave most hours empty; a few hours are busy
    st.one_of(st.integers(0, 47), st.sampled_from([7, 8, 31])),
    st.sampled_from([0, 1, 1799, 3599]),  # the second in the hour: several the same
    st.integers(0, 999_999),  # the microsecond
    st.integers(0, 4),  # the page
    st.integers(0, 5),  # the visitor: a few, who come back
)
CASES = iter(range(10**6))


def page_counts(client, start, stop):
    tables = client.query_api().query(
        f'from(bucket: "{BUCKET}") |> range(start: {start.isoformat()}, stop: '
        f'{stop.isoformat()}) |> filter(fn: (r) => r._measurement == "pageview") '
        '|> group(columns: ["page"]) |> count()'
    )
    return sorted((r["page"], r.get_value()) for t in tables for r in t.records)


@pytest.fixture(scope="module")
def generated_range(client):
    client.delete_api().delete(
        GENERATED, GENERATED + timedelta(days=4000), '_measurement="pageview"', bucket=BUCKET
    )


@pytest.mark.about("write_page_views")
def test_generated_views_match_the_reference(
    exercise, reference, client, generated, generated_range
):
    """generated views are all kept, and every answer is the reference solution's

    Most hours empty, several views of a page in one second, ties between pages, visitors
    who come back; top pages for n from 1 to 5, over all or part of the range."""

    @generated(12)
    @given(
        views=st.lists(VIEW, min_size=1, max_size=24),
        n=st.integers(1, 5),
        part=st.tuples(st.integers(0, 47), st.integers(1, 48)),
    )
    def same(views, n, part):
        start = GENERATED + timedelta(days=4 * next(CASES))
        stop = mine = start + 2 * DAY  # ours in [start, stop), theirs in the next two days
        rows = sorted(
            {
                (timedelta(hours=h, seconds=s, microseconds=us), PAGES[p], f"v{v}")
                for h, s, us, p, v in views
            }
        )
        ours = [(start + at, page, visitor) for at, page, visitor in rows]
        theirs = [(mine + at, page, visitor) for at, page, visitor in rows]
        client.write_api(write_options=SYNCHRONOUS).write(
            bucket=BUCKET,
            record=[
                Point("pageview").tag("page", p).field("visitor", v).time(t) for t, p, v in ours
            ],
        )
        exercise.write_page_views(client, BUCKET, theirs)
        want, got = (
            page_counts(client, start, stop),
            page_counts(client, mine, mine + (stop - start)),
        )
        assert got == want, (
            f"write_page_views of {len(rows)} views left (page, points) {got} in InfluxDB, "
            f"where there should be {want}: is any view lost or merged with another?"
        )
        low = start + timedelta(hours=min(part))
        high = start + timedelta(hours=max(part[0] + 1, part[1]))
        asked = [
            ("views_per_hour", (start, stop)),
            ("top_pages", (start, stop, n)),
            ("top_pages", (low, high, n)),
            ("unique_visitors_per_day", (start, stop)),
        ]
        for name, args in asked:
            expected = getattr(reference, name)(client, BUCKET, *args)
            found = getattr(exercise, name)(client, BUCKET, *args)
            if name == "top_pages":
                expected, found = [tuple(r) for r in expected], [tuple(r) for r in found]
            assert found == expected, (
                f"with the views (time, page, visitor) {[(str(t), p, v) for t, p, v in ours]}: "
                f"{name}{tuple(str(a) for a in args)} gave {found}, expected {expected}"
            )

    same()
