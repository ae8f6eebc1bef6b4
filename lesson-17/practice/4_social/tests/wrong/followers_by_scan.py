"""followers scans the whole table for the followee: the right answer, after reading
every follow of every user."""

from social_models import Follow

CAUGHT_BY = "test_followers"


def followers(user_id):
    return sorted(f.follower for f in Follow.scan(Follow.followee == user_id))
