"""front_page loads the posts, then reads post.author and post.comments one post at a
time: two more statements per post (N+1)."""

from sqlalchemy import select

from blog_models import Post

CAUGHT_BY = "test_front_page_is_not_n_plus_1"


def front_page(session, limit=10):
    posts = session.scalars(select(Post).order_by(Post.published.desc()).limit(limit))
    return [(post.title, post.author.name, len(post.comments)) for post in posts]
