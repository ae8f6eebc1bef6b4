"""comment only flushes: the comment has its id, and is gone when the session closes."""

from blog_models import Comment

CAUGHT_BY = "test_comment"


def comment(session, post_id, author_name, text):
    note = Comment(post_id=post_id, author=author_named(session, author_name), text=text)  # noqa: F821
    session.add(note)
    session.flush()
    return note
