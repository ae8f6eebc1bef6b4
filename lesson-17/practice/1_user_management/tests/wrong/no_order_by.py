"""list_users pages with LIMIT and OFFSET but no ORDER BY: the order is whatever the
database finds first, which is id order only until it is not."""

from sqlalchemy import select

from user_models import User

CAUGHT_BY = "test_list_pages"


def list_users(session, page=1, per_page=10):
    query = select(User).offset((page - 1) * per_page).limit(per_page)
    return list(session.scalars(query))
