"""front_page counts the different people who commented (COUNT(DISTINCT author)), not
the comments: a reader who comments twice is counted once."""

from sqlalchemy import distinct, func, select

from blog_models import Author, Comment, Post

CAUGHT_BY = "test_front_page"


def front_page(session, limit=10):
    query = (
        select(Post.title, Author.name, func.count(distinct(Comment.author_id)))
        .join(Post.author)
        .outerjoin(Post.comments)
        .group_by(Post.id, Post.title, Author.name, Post.published)
        .order_by(Post.published.desc(), Post.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]
