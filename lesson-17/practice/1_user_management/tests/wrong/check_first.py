"""create_user SELECTs the email first and never catches IntegrityError: two sign-ups at
the same moment both find the email free, and one of them crashes."""

from sqlalchemy import select

from user_models import DuplicateEmail, User

CAUGHT_BY = "test_two_sign_ups_at_once"


def create_user(session, email, name, age):
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise DuplicateEmail(email)
    user = User(email=email, name=name, age=age)
    session.add(user)
    session.commit()
    return user
