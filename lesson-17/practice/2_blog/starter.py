"""Exercise 2, a blog: authors, posts and comments on MySQL, and a front page without N+1.

Write the three functions below; the models are given. Check your work with
`make check EXERCISE=2` (or FILE=path/to/your/copy.py).
"""

# The given models (see blog_models.py), for your functions to use.
from blog_models import Author, Base, Comment, Post


def publish(session, author_name, title, body, published):
    """Save a post by the author of that name (create the author if new); return the Post."""
    raise NotImplementedError


def comment(session, post_id, author_name, text):
    """Save a comment on the post by that author (create the author if new); return it."""
    raise NotImplementedError


def front_page(session, limit=10):
    """The newest `limit` posts as (title, author name, number of comments) tuples,
    newest first, in at most 2 SQL statements whatever the number of posts."""
    raise NotImplementedError
