"""update_user skips every change whose value is falsy (`if value:`), meaning to skip
None: an age set to 0 is silently left as it was."""

from user_models import User

CAUGHT_BY = "test_update"


def update_user(session, user_id, **changes):
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    for name, value in changes.items():
        if value:
            setattr(user, name, value)
    session.commit()
    return user
