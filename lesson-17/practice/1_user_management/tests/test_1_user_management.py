"""Exercise 1 tests: on SQLite, and on MySQL (the same code, another URL).

What was saved is read back through another connection once the caller's session is
closed: only a committed change survives that.
"""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import user_models as models


@pytest.fixture(params=["sqlite", "mysql"])
def engine(request, exercise, tmp_path, mysql_url):
    url = f"sqlite:///{tmp_path / 'users.db'}" if request.param == "sqlite" else mysql_url
    engine = create_engine(url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def saved(engine):
    """Every committed user as (email, name, age), as another connection sees them."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT email, name, age FROM practice_user ORDER BY id"))
        return [tuple(row) for row in rows]


def given_users(engine, count):
    """count users saved without the exercise's functions: user00@example.com, ...; their ids."""
    with Session(engine) as session:
        users = [
            models.User(email=f"user{i:02d}@example.com", name=f"User {i}", age=20 + i)
            for i in range(count)
        ]
        session.add_all(users)
        session.commit()
        return [user.id for user in users]


@pytest.mark.about("create_user")
def test_create(exercise, engine, session):
    """create_user saves a user and returns it with its id"""
    ann = exercise.create_user(session, "ann@example.com", "Ann", 31)
    assert ann is not None and ann.id is not None, "create_user should return the saved user"
    session.close()
    got = saved(engine)
    assert got == [("ann@example.com", "Ann", 31)], (
        f"not committed: another connection sees {got}, not ann"
    )


@pytest.mark.about("get_user")
def test_get(exercise, engine, session):
    """get_user finds a user by id, and gives None for an unknown id"""
    ids = given_users(engine, 3)
    found = exercise.get_user(session, ids[1])
    got = found and (found.id, found.email)
    assert got == (ids[1], "user01@example.com"), f"get_user({ids[1]}) gave {got}"
    assert exercise.get_user(session, 999) is None, "get_user(999), an unknown id, should be None"


@pytest.mark.about("create_user")
def test_duplicate_email(exercise, engine, session):
    """a taken email raises DuplicateEmail, and the session keeps working"""
    exercise.create_user(session, "ann@example.com", "Ann", 31)
    with pytest.raises(models.DuplicateEmail):
        exercise.create_user(session, "ann@example.com", "Another Ann", 40)
    exercise.create_user(session, "bob@example.com", "Bob", 25)  # the session must still work
    session.close()
    got = [email for email, _, _ in saved(engine)]
    assert got == ["ann@example.com", "bob@example.com"], f"saved: {got}"


@pytest.mark.about("create_user")
def test_two_sign_ups_at_once(exercise, engine, at_once):
    """two sign-ups with one email at the same moment: one user, one DuplicateEmail"""

    def sign_up(name):
        with Session(engine) as session:
            exercise.create_user(session, "ann@example.com", name, 30)
            return "created"

    outcomes = at_once(
        engine,
        lambda sql: sql.startswith(("SELECT", "INSERT")) and "PRACTICE_USER" in sql,
        [lambda: sign_up("Ann"), lambda: sign_up("Ann B.")],
    )
    assert sorted(outcomes) == ["DuplicateEmail", "created"], (
        f"expected one created and one DuplicateEmail, got {outcomes}: checking first "
        "(SELECT) cannot stop the other sign-up between your check and your INSERT; "
        "the unique index can (catch IntegrityError)"
    )
    assert len(saved(engine)) == 1


@pytest.mark.about("update_user")
def test_update(exercise, engine, session):
    """update_user changes the given fields and commits; an unknown id raises LookupError"""
    ids = given_users(engine, 2)
    user = exercise.update_user(session, ids[0], age=32, name="Ann B.")
    assert (user.name, user.age) == ("Ann B.", 32), "update_user should return the changed user"
    session.close()
    got = saved(engine)
    assert got[0] == ("user00@example.com", "Ann B.", 32), (
        f"not committed: once the session is closed, another connection sees {got[0]}"
    )
    assert got[1] == ("user01@example.com", "User 1", 21), f"another user changed: {got[1]}"
    with pytest.raises(LookupError):
        exercise.update_user(session, 999, age=1)


@pytest.mark.about("delete_user")
def test_delete(exercise, engine, session):
    """delete_user deletes and commits, and says whether there was a user"""
    ids = given_users(engine, 2)
    assert exercise.delete_user(session, ids[0]) is True, "deleting a user should return True"
    session.close()
    got = [email for email, _, _ in saved(engine)]
    assert got == ["user01@example.com"], f"not committed: another connection still sees {got}"
    assert exercise.delete_user(session, ids[0]) is False, "deleting it again should give False"


@pytest.mark.about("list_users")
def test_list_pages(exercise, engine, session, sql_sent):
    """list_users returns one page in id order, picked by the database (LIMIT/OFFSET)"""
    given_users(engine, 25)
    emails = [f"user{i:02d}@example.com" for i in range(25)]
    sent = sql_sent(engine)
    pages = {page: exercise.list_users(session, page=page, per_page=10) for page in (1, 3, 4)}
    for page, want in ((1, emails[:10]), (3, emails[20:]), (4, [])):
        got = [user.email for user in pages[page]]
        assert got == want, f"page {page} of 10: expected {want}, got {got}"
    selects = [(sql, rows) for sql, rows in sent if sql.lstrip().upper().startswith("SELECT")]
    assert selects, "list_users sent no SELECT"
    for sql, rows in selects:
        shown = " ".join(sql.split())
        assert "LIMIT" in sql.upper() and "ORDER BY" in sql.upper(), (
            f"the database should order and cut the page (ORDER BY, offset, limit): "
            f"list_users sent {shown}"
        )
        assert rows <= 10, f"list_users fetched {rows} rows for a page of 10: {shown}"
