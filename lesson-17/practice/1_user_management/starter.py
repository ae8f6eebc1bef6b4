"""Exercise 1, user management: create, read, update, delete and list users.

Write the five functions below. The model is given. Check your work with
`make check EXERCISE=1` (or FILE=path/to/your/copy.py).
"""

# The given models (see user_models.py), for your functions to use.
from user_models import Base, DuplicateEmail, User


def create_user(session, email, name, age):
    """Add and commit a user; return it. A taken email raises DuplicateEmail, and the
    session must stay usable afterwards (roll back what failed)."""
    raise NotImplementedError


def get_user(session, user_id):
    """The User with this id, or None."""
    raise NotImplementedError


def update_user(session, user_id, **changes):
    """Set the given attributes (name=..., age=...), commit, return the user.
    An unknown id raises LookupError."""
    raise NotImplementedError


def delete_user(session, user_id):
    """Delete and commit; return True if a user was deleted, False if there was none."""
    raise NotImplementedError


def list_users(session, page=1, per_page=10):
    """One page of users ordered by id: page 1 is the first per_page users."""
    raise NotImplementedError
