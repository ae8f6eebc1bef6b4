"""delete_user deletes with a bulk DELETE and returns True whatever it found: deleting
an unknown or already deleted user says it deleted one."""

from sqlalchemy import delete

from user_models import User

CAUGHT_BY = "test_delete"


def delete_user(session, user_id):
    session.execute(delete(User).where(User.id == user_id))
    session.commit()
    return True
