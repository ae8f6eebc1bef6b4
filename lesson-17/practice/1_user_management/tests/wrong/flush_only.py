"""update_user and delete_user only flush(), never commit: the caller's session sees the
change, and it is gone when the session closes."""

from user_models import User

CAUGHT_BY = "test_update"


def update_user(session, user_id, **changes):
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    for name, value in changes.items():
        setattr(user, name, value)
    session.flush()
    return user


def delete_user(session, user_id):
    user = session.get(User, user_id)
    if user is None:
        return False
    session.delete(user)
    session.flush()
    return True
