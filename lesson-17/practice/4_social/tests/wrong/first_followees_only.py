"""timeline asks only the first `limit` followees (in name order) for their posts: a
later followee's newest posts never show."""

import heapq
import itertools

from social_models import Post

CAUGHT_BY = "test_generated_follows_and_posts_match_the_reference"


def timeline(user_id, limit=10):
    newest = [
        Post.query(followee, scan_index_forward=False, limit=limit)
        for followee in following(user_id)[:limit]  # noqa: F821
    ]
    posts = heapq.merge(*newest, key=lambda p: p.created, reverse=True)
    return [(p.user_id, p.text) for p in itertools.islice(posts, limit)]
