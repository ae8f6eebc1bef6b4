"""front_page joins the comments with an inner join: a post nobody commented on
disappears from the front page."""

from sqlalchemy import func, select

from blog_models import Author, Comment, Post

CAUGHT_BY = "test_front_page"


def front_page(session, limit=10):
    query = (
        select(Post.title, Author.name, func.count(Comment.id))
        .join(Post.author)
        .join(Post.comments)
        .group_by(Post.id, Post.title, Author.name, Post.published)
        .order_by(Post.published.desc(), Post.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]
