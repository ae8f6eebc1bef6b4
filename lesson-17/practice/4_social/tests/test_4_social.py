"""Exercise 4 tests, on DynamoDB Local. A scan anywhere fails the test; what was saved is
read back through the models, not through the exercise's functions."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pynamodb.connection import Connection

import social_models as models

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def only_on_dynamodb_local():
    """These tests delete and recreate the exercise's own two tables: on DynamoDB Local
    (a loopback endpoint) only, never on real AWS or another machine's endpoint."""
    host = models.HOST
    if host is None or urlsplit(host).hostname not in LOOPBACK:
        tables = " and ".join(model.Meta.table_name for model in models.MODELS)
        pytest.fail(
            f"exercise 4's tests delete and recreate {tables}, so they run on DynamoDB Local "
            f"only; DYNAMODB_HOST is {host or 'empty (real AWS)'}: set it to the local one "
            "(http://127.0.0.1:8000 unless .env says otherwise) and `make services`",
            pytrace=False,
        )


@pytest.fixture
def queries(exercise, monkeypatch):
    """Fresh tables; every query sent is recorded: (table, index, Limit, newest first?,
    items returned); a scan raises."""
    only_on_dynamodb_local()
    for model in models.MODELS:
        if model.exists():
            model.delete_table()
        model.create_table(read_capacity_units=5, write_capacity_units=5, wait=True)

    def no_scan(*args, **kwargs):
        raise AssertionError("a scan was sent: use a key query, or the index, instead")

    sent = []
    query = Connection.query

    def recorded(self, table_name, hash_key, *args, **kwargs):
        answer = query(self, table_name, hash_key, *args, **kwargs)
        newest_first = kwargs.get("scan_index_forward") is False
        sent.append(
            (table_name, kwargs.get("index_name"), kwargs.get("limit"), newest_first,
             answer.get("Count", 0))
        )  # fmt: skip
        return answer

    monkeypatch.setattr(Connection, "scan", no_scan)
    monkeypatch.setattr(Connection, "query", recorded)
    return sent


def given_follows(*pairs):
    for follower, followee in pairs:
        models.Follow(follower, followee).save()


def given_posts(minutes, authors=("bob", "cat", "dan")):
    """One post a minute, by each author in turn: [(author, text)] newest first."""
    posts = []
    with models.Post.batch_write() as batch:
        for minute in range(minutes):
            author = authors[minute % len(authors)]
            when = START + timedelta(minutes=minute)
            batch.save(models.Post(author, when, text=f"{author} at {minute}"))
            posts.append((author, f"{author} at {minute}"))
    return posts[::-1]


def follows_of(users):
    """Every (follower, followee) item whose follower is one of users, read by key."""
    return sorted((f.follower, f.followee) for user in users for f in models.Follow.query(user))


@pytest.mark.about("follow")
def test_follow(exercise, queries):
    """follow records who follows whom, once"""
    exercise.follow("ann", "bob")
    exercise.follow("ann", "cat")
    exercise.follow("ann", "bob")  # twice: still once
    got = follows_of(["ann", "bob", "cat"])
    assert got == [("ann", "bob"), ("ann", "cat")], (
        f"the table holds {got}: one item per follow, follower to followee (the index answers "
        "the other way round)"
    )


@pytest.mark.about("following")
def test_following(exercise, queries):
    """following lists whom a user follows, sorted"""
    given_follows(("ann", "cat"), ("ann", "bob"), ("bob", "cat"))
    got = exercise.following("ann")
    assert got == ["bob", "cat"], f"following('ann'): expected ['bob', 'cat'], got {got}"
    assert exercise.following("cat") == [], "following('cat'), who follows nobody, should be []"


@pytest.mark.about("followers")
def test_followers(exercise, queries):
    """followers answers 'who follows X?' with a query on the index, not a scan"""
    given_follows(("dan", "cat"), ("ann", "cat"), ("bob", "cat"), ("cat", "ann"))
    got = exercise.followers("cat")
    want = ["ann", "bob", "dan"]
    assert got == want, f"followers('cat'): expected {want}, got {got}"
    assert exercise.followers("dan") == [], "followers('dan'), followed by nobody, should be []"


@pytest.mark.about("publish")
def test_publish(exercise, queries):
    """publish saves a post under its author and time"""
    exercise.publish("bob", "hello", START)
    got = [(p.user_id, p.created, p.text) for p in models.Post.query("bob")]
    assert got == [("bob", START, "hello")], f"the table holds {got}"


@pytest.mark.about("timeline")
def test_timeline(exercise, queries):
    """timeline merges the followed users' newest posts, newest first"""
    given_follows(("ann", "bob"), ("ann", "cat"))  # not dan
    everything = given_posts(24)  # 8 posts each
    want = [post for post in everything if post[0] != "dan"]
    for limit in (5, 50):
        got = exercise.timeline("ann", limit=limit)
        assert got == want[:limit], (
            f"timeline('ann', limit={limit}): expected {want[:limit]}, got {got}"
        )
    assert exercise.timeline("dan") == [], "timeline of a user who follows nobody should be []"


@pytest.mark.about("timeline")
def test_timeline_reads_only_what_it_shows(exercise, queries):
    """timeline asks each followee for its newest `limit` posts only (Limit, newest first)

    The posts it reads stay the same when the followees have ten times as many."""
    given_follows(("ann", "bob"), ("ann", "cat"))
    read = {}
    for minutes in (60, 600):  # 20, then 200 posts each by bob, cat and dan
        given_posts(minutes)
        queries.clear()
        got = exercise.timeline("ann", limit=5)
        assert len(got) == 5, f"timeline('ann', limit=5) gave {got}"
        posts = [q for q in queries if q[0] == models.Post.Meta.table_name]
        assert posts, "timeline sent no query on the posts table"
        for _, _, limit, newest_first, _ in posts:
            assert newest_first and limit is not None and limit <= 5, (
                "each query on the posts should be newest first with a limit "
                f"(Post.query(..., scan_index_forward=False, limit=...)): one had Limit={limit}, "
                f"newest first: {newest_first}"
            )
        read[minutes] = sum(count for *_, count in posts)
        assert read[minutes] <= 10, f"timeline read {read[minutes]} posts to show 5"
    assert read[600] == read[60], (
        f"timeline read {read[60]} posts to show 5 of 40, and {read[600]} to show 5 of 400"
    )


# --- generated follows and posts, compared with the reference solution ---

USERS = ["ann", "bob", "cat", "dan"]
# follower, then how far along the list the followee is (never the follower itself)
FOLLOWS = st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3)), min_size=1, max_size=8)
# Uneven activity: per user, how many posts (0 to 6), from which minute, how often: some
# post often and late, some seldom, some never; posts of two users may share a second.
ACTIVITY = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 120), st.integers(1, 40)), min_size=4, max_size=4
)
LIMITS = (1, 2, 5)
EXAMPLES = iter(range(10**6))  # each generated case has users of its own: no clean-up


@pytest.mark.about("follow")
def test_generated_follows_and_posts_match_the_reference(exercise, reference, queries, generated):
    """generated follows and posts: following, followers, timeline answer as the reference

    Follows (some twice, some both ways) and posts (uneven: some users post often, some
    never, some in the same second), made by follow and publish; the table holds each
    follow once, one way; every user's timeline with limits 1, 2 and 5."""

    @generated(8)
    @given(follows=FOLLOWS, activity=ACTIVITY)
    def same(follows, activity):
        prefix = f"g{next(EXAMPLES)}-"
        users = [prefix + user for user in USERS]
        pairs = [(users[a], users[(a + d) % 4]) for a, d in follows]
        for follower, followee in pairs:
            exercise.follow(follower, followee)
        posts = []
        for n, (count, first, every) in enumerate(activity):
            for k in range(count):  # microseconds: two users' posts in one second differ
                created = START + timedelta(minutes=first + k * every, microseconds=n)
                exercise.publish(users[n], f"{USERS[n]} #{k}", created)
                posts.append(f"{USERS[n]} #{k} at {first + k * every} min")
        got = follows_of(users)
        assert got == sorted(set(pairs)), (
            f"after follow() of {pairs}, the table holds {got}: one item per follow, "
            "follower to followee"
        )
        for user in users:
            for name in ("following", "followers"):
                want = getattr(reference, name)(user)
                found = getattr(exercise, name)(user)
                assert found == want, (
                    f"with the follows {pairs}: {name}({user!r}) gave {found}, expected {want}"
                )
            for limit in LIMITS:
                want = reference.timeline(user, limit=limit)
                found = exercise.timeline(user, limit=limit)
                assert found == want, (
                    f"with the follows {pairs} and the posts {posts}: "
                    f"timeline({user!r}, limit={limit}) gave {found}, expected {want}"
                )

    same()
