"""Exercise 4 tests, on DynamoDB Local. A scan anywhere fails the test."""

from datetime import UTC, datetime, timedelta

import pytest
from pynamodb.connection import Connection

import social_models as models

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def social(exercise, monkeypatch):
    for model in models.MODELS:
        if model.exists():
            model.delete_table()
        model.create_table(read_capacity_units=5, write_capacity_units=5, wait=True)

    def no_scan(*args, **kwargs):
        raise AssertionError("a scan was issued: use a key query or the index instead")

    monkeypatch.setattr(Connection, "scan", no_scan)
    return exercise


def test_follow_and_following(social):
    """follow records who follows whom; following lists them"""
    social.follow("ann", "bob")
    social.follow("ann", "cat")
    social.follow("ann", "bob")  # twice: still once
    social.follow("bob", "cat")
    assert social.following("ann") == ["bob", "cat"]
    assert social.following("cat") == []


def test_followers_through_the_index(social):
    """followers answers 'who follows X?' with a query, not a scan"""
    for follower in ("ann", "bob", "dan"):
        social.follow(follower, "cat")
    social.follow("cat", "ann")
    assert social.followers("cat") == ["ann", "bob", "dan"]
    assert social.followers("dan") == []


def test_timeline_shows_the_newest_posts_of_followed_users(social):
    """timeline merges the followed users' posts, newest first"""
    social.follow("ann", "bob")
    social.follow("ann", "cat")
    for minute in range(12):
        author = ("bob", "cat", "dan")[minute % 3]  # ann does not follow dan
        social.publish(author, f"{author} at {minute}", START + timedelta(minutes=minute))
    expected = [
        (("bob", "cat", "dan")[m % 3], f"{('bob', 'cat', 'dan')[m % 3]} at {m}")
        for m in range(11, -1, -1)
        if m % 3 != 2
    ]
    assert social.timeline("ann", limit=5) == expected[:5]
    assert social.timeline("ann", limit=50) == expected
    assert social.timeline("dan") == []
