"""front_page orders by id, not by publication time: right only while posts are
published in the order they are written."""

from sqlalchemy import func, select

from blog_models import Author, Comment, Post

CAUGHT_BY = "test_front_page"


def front_page(session, limit=10):
    query = (
        select(Post.title, Author.name, func.count(Comment.id))
        .join(Post.author)
        .outerjoin(Post.comments)
        .group_by(Post.id, Post.title, Author.name)
        .order_by(Post.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]
