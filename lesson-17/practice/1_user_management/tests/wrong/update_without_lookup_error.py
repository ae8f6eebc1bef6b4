"""update_user runs a bulk UPDATE by id and reloads the user: for an unknown id it
returns None instead of raising LookupError."""

from sqlalchemy import update

from user_models import User

CAUGHT_BY = "test_update"


def update_user(session, user_id, **changes):
    if changes:
        session.execute(update(User).where(User.id == user_id).values(**changes))
    session.commit()
    return session.get(User, user_id)
