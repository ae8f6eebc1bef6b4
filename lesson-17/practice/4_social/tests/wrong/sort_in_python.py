"""timeline queries each followee's posts without a limit and sorts them all in Python:
the right posts, after reading every post of everyone followed."""

from social_models import Post

CAUGHT_BY = "test_timeline_reads_only_what_it_shows"


def timeline(user_id, limit=10):
    posts = [post for followee in following(user_id) for post in Post.query(followee)]  # noqa: F821
    posts.sort(key=lambda p: p.created, reverse=True)
    return [(p.user_id, p.text) for p in posts[:limit]]
