"""timeline merges the followees' posts by their text instead of their time: each
followee's posts come newest first, but the merged page is in no useful order."""

import heapq
import itertools

from social_models import Post

CAUGHT_BY = "test_generated_follows_and_posts_match_the_reference"


def timeline(user_id, limit=10):
    newest = [
        Post.query(followee, scan_index_forward=False, limit=limit)
        for followee in following(user_id)  # noqa: F821
    ]
    posts = heapq.merge(*newest, key=lambda p: p.text, reverse=True)
    return [(p.user_id, p.text) for p in itertools.islice(posts, limit)]
