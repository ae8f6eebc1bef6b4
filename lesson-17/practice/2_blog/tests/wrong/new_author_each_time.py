"""publish creates a new Author for every post instead of finding the one of that name:
the second post by the same author breaks the unique name."""

from blog_models import Author, Post

CAUGHT_BY = "test_publish"


def publish(session, author_name, title, body, published):
    post = Post(author=Author(name=author_name), title=title, body=body, published=published)
    session.add(post)
    session.commit()
    return post
