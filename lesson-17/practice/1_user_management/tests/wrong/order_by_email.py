"""list_users orders its pages by email, which follows id order only while users sign up
in alphabetical order."""

from sqlalchemy import select

from user_models import User

CAUGHT_BY = "test_generated_calls_match_the_reference"


def list_users(session, page=1, per_page=10):
    query = select(User).order_by(User.email).offset((page - 1) * per_page).limit(per_page)
    return list(session.scalars(query))
