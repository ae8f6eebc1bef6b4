"""Exercise 1 tests: on SQLite, and on MySQL (the same code, another URL)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import user_models as models


@pytest.fixture(params=["sqlite", "mysql"])
def session(request, exercise, tmp_path, mysql_url):
    url = f"sqlite:///{tmp_path / 'users.db'}" if request.param == "sqlite" else mysql_url
    engine = create_engine(url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def emails(session):
    return [row[0] for row in session.execute(text("SELECT email FROM practice_user ORDER BY id"))]


def test_create_and_get(exercise, session):
    """create_user saves a user that get_user finds by id"""
    ann = exercise.create_user(session, "ann@example.com", "Ann", 31)
    assert ann.id is not None, "create_user should return the saved user, with its id"
    found = exercise.get_user(session, ann.id)
    assert (found.email, found.name, found.age) == ("ann@example.com", "Ann", 31)
    assert exercise.get_user(session, 999) is None, "an unknown id should give None"
    assert emails(session) == ["ann@example.com"], "the user should be committed"


def test_duplicate_email_is_refused_and_the_session_still_works(exercise, session):
    """a taken email raises DuplicateEmail, and the session keeps working"""
    exercise.create_user(session, "ann@example.com", "Ann", 31)
    with pytest.raises(models.DuplicateEmail):
        exercise.create_user(session, "ann@example.com", "Another Ann", 40)
    exercise.create_user(session, "bob@example.com", "Bob", 25)  # must not fail
    assert emails(session) == ["ann@example.com", "bob@example.com"]


def test_update(exercise, session):
    """update_user changes the given fields and saves them; an unknown id raises LookupError"""
    ann = exercise.create_user(session, "ann@example.com", "Ann", 31)
    exercise.update_user(session, ann.id, age=32, name="Ann B.")
    row = session.execute(text("SELECT name, age FROM practice_user")).one()
    assert tuple(row) == ("Ann B.", 32), "the change should be committed"
    with pytest.raises(LookupError):
        exercise.update_user(session, 999, age=1)


def test_delete(exercise, session):
    """delete_user removes the user and says whether there was one"""
    ann = exercise.create_user(session, "ann@example.com", "Ann", 31)
    assert exercise.delete_user(session, ann.id) is True
    assert emails(session) == [], "the user should be gone from the table"
    assert exercise.delete_user(session, ann.id) is False


def test_list_with_paging(exercise, session):
    """list_users returns pages of users in id order"""
    for i in range(25):
        exercise.create_user(session, f"user{i:02d}@example.com", f"User {i}", 20 + i)
    first = exercise.list_users(session, page=1, per_page=10)
    third = exercise.list_users(session, page=3, per_page=10)
    assert [u.email for u in first] == [f"user{i:02d}@example.com" for i in range(10)]
    assert [u.email for u in third] == [f"user{i:02d}@example.com" for i in range(20, 25)]
    assert exercise.list_users(session, page=4, per_page=10) == []
