"""front_page sorts oldest first, cuts, then reverses in Python: the page is newest
first, but of the oldest posts."""

from sqlalchemy import func, select

from blog_models import Author, Comment, Post

CAUGHT_BY = "test_front_page"


def front_page(session, limit=10):
    query = (
        select(Post.title, Author.name, func.count(Comment.id))
        .join(Post.author)
        .outerjoin(Post.comments)
        .group_by(Post.id, Post.title, Author.name, Post.published)
        .order_by(Post.published, Post.id)
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)][::-1]
