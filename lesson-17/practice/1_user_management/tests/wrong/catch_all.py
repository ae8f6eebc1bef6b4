"""create_user catches every exception of the commit, not only IntegrityError: any failed
commit (here a name too long for its column) is reported as "email taken"."""

from user_models import DuplicateEmail, User

CAUGHT_BY = "test_other_failures_are_not_duplicate_email"


def create_user(session, email, name, age):
    user = User(email=email, name=name, age=age)
    session.add(user)
    try:
        session.commit()
    except Exception as exc:
        session.rollback()
        raise DuplicateEmail(email) from exc
    return user
