"""publish rolls back a failed commit and returns the post anyway: the caller gets an
unsaved post (its id is None) and no error."""

from blog_models import Post

CAUGHT_BY = "test_a_failed_publish_raises"


def publish(session, author_name, title, body, published):
    post = Post(
        author=author_named(session, author_name),  # noqa: F821
        title=title,
        body=body,
        published=published,
    )
    session.add(post)
    try:
        session.commit()
    except Exception:
        session.rollback()
    return post
