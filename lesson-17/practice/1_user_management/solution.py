"""Exercise 1, reference solution. Try the starter first: this is one way, not the way."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from user_models import (
    DuplicateEmail,
    User,
)


def create_user(session, email, name, age):
    user = User(email=email, name=name, age=age)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()  # the session is usable again
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
    session.commit()
    return user


def delete_user(session, user_id):
    user = session.get(User, user_id)
    if user is None:
        return False
    session.delete(user)
    session.commit()
    return True


def list_users(session, page=1, per_page=10):
    query = select(User).order_by(User.id).offset((page - 1) * per_page).limit(per_page)
    return list(session.scalars(query))
