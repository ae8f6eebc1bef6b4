"""front_page counts rows (COUNT(*)) over the outer join: a post without comments
still has one joined row, so it shows 1 comment."""

from sqlalchemy import func, select

from blog_models import Author, Post

CAUGHT_BY = "test_front_page"


def front_page(session, limit=10):
    query = (
        select(Post.title, Author.name, func.count())
        .join(Post.author)
        .outerjoin(Post.comments)
        .group_by(Post.id, Post.title, Author.name, Post.published)
        .order_by(Post.published.desc(), Post.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]
