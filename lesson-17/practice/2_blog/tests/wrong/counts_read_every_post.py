"""front_page takes the newest posts with a LIMIT, then counts the comments of every post
of the blog in a second statement: two statements, but the rows fetched grow with the
blog, not with the page."""

from sqlalchemy import func, select

from blog_models import Author, Comment, Post

CAUGHT_BY = "test_front_page_is_not_n_plus_1"


def front_page(session, limit=10):
    newest = session.execute(
        select(Post.id, Post.title, Author.name)
        .join(Post.author)
        .order_by(Post.published.desc(), Post.id.desc())
        .limit(limit)
    ).all()
    every_post = select(Comment.post_id, func.count()).group_by(Comment.post_id)
    counts = dict(session.execute(every_post).all())
    return [(title, name, counts.get(post_id, 0)) for post_id, title, name in newest]
