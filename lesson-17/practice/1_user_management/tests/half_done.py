"""Exercise 1 halfway, as a student's copy might be: the example of `make check` output
in lesson-17/practice/README.md (tests/test_practice.py checks it)."""

from sqlalchemy.exc import IntegrityError

from user_models import DuplicateEmail, User


def create_user(session, email, name, age):
    user = User(email=email, name=name, age=age)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DuplicateEmail(email) from exc
    return user


def get_user(session, user_id):
    return session.get(User, user_id)


def update_user(session, user_id, **changes):
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    for name, value in changes.items():
        setattr(user, name, value)
    session.flush()  # sent to the database, but not committed
    return user


def delete_user(session, user_id):
    raise NotImplementedError


def list_users(session, page=1, per_page=10):
    raise NotImplementedError
