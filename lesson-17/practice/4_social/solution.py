"""Exercise 4, reference solution. Try the starter first: this is one way, not the way."""

import heapq
import itertools

from social_models import (
    Follow,
    Post,
)


def follow(follower, followee):
    Follow(follower, followee).save()  # the same key again replaces the item


def following(user_id):
    return sorted(f.followee for f in Follow.query(user_id))


def followers(user_id):
    return sorted(f.follower for f in Follow.by_followee.query(user_id))


def publish(user_id, text, created):
    Post(user_id, created, text=text).save()


def timeline(user_id, limit=10):
    # Each followee's newest posts first (a query on the key, sorted by the range key),
    # then keep the newest `limit` of all of them.
    newest = [
        Post.query(followee, scan_index_forward=False, limit=limit)
        for followee in following(user_id)
    ]
    posts = heapq.merge(*newest, key=lambda p: p.created, reverse=True)
    return [(p.user_id, p.text) for p in itertools.islice(posts, limit)]
