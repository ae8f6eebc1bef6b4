"""Exercise 2, reference solution. Try the starter first: this is one way, not the way."""

from sqlalchemy import func, select

from blog_models import (
    Author,
    Comment,
    Post,
)


def author_named(session, name):
    author = session.scalar(select(Author).where(Author.name == name))
    if author is None:
        author = Author(name=name)
        session.add(author)
    return author


def publish(session, author_name, title, body, published):
    post = Post(
        author=author_named(session, author_name), title=title, body=body, published=published
    )
    session.add(post)
    session.commit()
    return post


def comment(session, post_id, author_name, text):
    note = Comment(post_id=post_id, author=author_named(session, author_name), text=text)
    session.add(note)
    session.commit()
    return note


def front_page(session, limit=10):
    # One statement: the join gives the author, a grouped outer join counts comments.
    query = (
        select(Post.title, Author.name, func.count(Comment.id))
        .join(Post.author)
        .outerjoin(Post.comments)
        .group_by(Post.id, Post.title, Author.name, Post.published)
        .order_by(Post.published.desc(), Post.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]
