"""timeline keeps the followees' posts in the order they were merged, followee by
followee (newest first within each), instead of merging by time."""

import itertools

from social_models import Post

CAUGHT_BY = "test_generated_follows_and_posts_match_the_reference"


def timeline(user_id, limit=10):
    newest = [
        Post.query(followee, scan_index_forward=False, limit=limit)
        for followee in following(user_id)  # noqa: F821
    ]
    posts = itertools.chain(*newest)
    return [(p.user_id, p.text) for p in itertools.islice(posts, limit)]
