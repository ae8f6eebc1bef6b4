"""list_users picks a page by id arithmetic (id > (page - 1) * per_page): once a user is
deleted, or an insert failed and used up an id, pages repeat and skip users."""

from sqlalchemy import select

from user_models import User

CAUGHT_BY = "test_generated_calls_match_the_reference"


def list_users(session, page=1, per_page=10):
    query = select(User).where(User.id > (page - 1) * per_page).order_by(User.id).limit(per_page)
    return list(session.scalars(query))
