"""timeline asks each followee for an even share of the limit (limit // followees, at
least one): when one followee posts much more than the others, its newest posts are
missing and older ones of the others take their place."""

import heapq
import itertools

from social_models import Post

CAUGHT_BY = "test_generated_follows_and_posts_match_the_reference"


def timeline(user_id, limit=10):
    followees = following(user_id)  # noqa: F821
    share = max(1, limit // max(1, len(followees)))
    newest = [Post.query(followee, scan_index_forward=False, limit=share) for followee in followees]
    posts = heapq.merge(*newest, key=lambda p: p.created, reverse=True)
    return [(p.user_id, p.text) for p in itertools.islice(posts, limit)]
