"""create_user turns IntegrityError into DuplicateEmail but does not roll back: the
session is left in a failed transaction, and the next call raises PendingRollbackError."""

from sqlalchemy.exc import IntegrityError

from user_models import DuplicateEmail, User

CAUGHT_BY = "test_duplicate_email"


def create_user(session, email, name, age):
    user = User(email=email, name=name, age=age)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        raise DuplicateEmail(email) from exc
    return user
