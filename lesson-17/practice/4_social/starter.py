"""Exercise 4, a social media backend on DynamoDB: follows and a timeline, without scans.

Write the five functions below; the models (and the index) are given. Every answer
must come from key queries (Model.query, an index's query, get), never Model.scan:
the tests refuse any scan. Check your work with `make check EXERCISE=4`.
"""

# The given models (see social_models.py), for your functions to use.
from social_models import Follow, Post


def follow(follower, followee):
    """Record that follower follows followee (doing it twice changes nothing)."""
    raise NotImplementedError


def following(user_id):
    """The user ids user_id follows, sorted."""
    raise NotImplementedError


def followers(user_id):
    """The user ids following user_id, sorted (hint: the index)."""
    raise NotImplementedError


def publish(user_id, text, created):
    """Save a post by user_id at the datetime `created` (timezone-aware, UTC)."""
    raise NotImplementedError


def timeline(user_id, limit=10):
    """The newest `limit` posts of the users user_id follows, newest first, as
    (author id, text) tuples (hint: query each followee's posts newest first)."""
    raise NotImplementedError
