"""list_users loads every user and slices the page in Python: right answer, every row
fetched for each page."""

from sqlalchemy import select

from user_models import User

CAUGHT_BY = "test_list_pages"


def list_users(session, page=1, per_page=10):
    users = session.scalars(select(User).order_by(User.id)).all()
    return users[(page - 1) * per_page : page * per_page]
