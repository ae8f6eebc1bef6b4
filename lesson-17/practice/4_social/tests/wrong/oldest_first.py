"""timeline queries with a limit but in the table's order, oldest first: it gets each
followee's first posts, not the newest ones."""

import heapq
import itertools

from social_models import Post

CAUGHT_BY = "test_timeline"


def timeline(user_id, limit=10):
    newest = [
        sorted(Post.query(followee, limit=limit), key=lambda p: p.created, reverse=True)
        for followee in following(user_id)  # noqa: F821
    ]
    posts = heapq.merge(*newest, key=lambda p: p.created, reverse=True)
    return [(p.user_id, p.text) for p in itertools.islice(posts, limit)]
