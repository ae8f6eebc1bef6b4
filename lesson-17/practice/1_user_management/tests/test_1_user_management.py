"""Exercise 1 tests: on SQLite, and on MySQL (the same code, another URL).

What was saved is read back through another connection once the caller's session is
closed: only a committed change survives that.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

import user_models as models

UNKNOWN = 10**6  # an id no user has


@pytest.fixture(params=["sqlite", "mysql"])
def engine(request, exercise, tmp_path, mysql_engine, tables):
    """Each test on a new SQLite file, then on the lesson's MySQL database (emptied)."""
    if request.param == "mysql":
        tables(mysql_engine, models.Base.metadata)
        yield mysql_engine
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'users.db'}")
    # a scratch file: no need to wait for the disk after each commit
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous = OFF"))
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


def given_users(engine, count, first=0):
    """count users saved without the exercise's functions: user00@example.com, ... (from
    number `first`); their ids."""
    with Session(engine) as session:
        users = [
            models.User(email=f"user{i:02d}@example.com", name=f"User {i}", age=20 + i)
            for i in range(first, first + count)
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
    exercise.update_user(session, ids[1], age=0)  # 0 is a value too
    session.close()
    got = saved(engine)[1]
    assert got == ("user01@example.com", "User 1", 0), f"after update_user(age=0): {got}"


@pytest.mark.about("delete_user")
def test_delete(exercise, engine, session):
    """delete_user deletes and commits, and says whether there was a user"""
    ids = given_users(engine, 2)
    assert exercise.delete_user(session, ids[0]) is True, "deleting a user should return True"
    session.close()
    got = [email for email, _, _ in saved(engine)]
    assert got == ["user01@example.com"], f"not committed: another connection still sees {got}"
    assert exercise.delete_user(session, ids[0]) is False, "deleting it again should give False"


@pytest.mark.about("create_user")
@pytest.mark.parametrize("engine", ["mysql"], indirect=True)
def test_other_failures_are_not_duplicate_email(exercise, engine, session):
    """only a taken email is DuplicateEmail: another failed commit raises its own error"""
    exercise.create_user(session, "ann@example.com", "Ann", 31)
    too_long = "N" * 51  # the column holds 50: MySQL refuses the row (DataError)
    with pytest.raises(Exception) as raised:
        exercise.create_user(session, "bob@example.com", too_long, 25)
    assert not isinstance(raised.value, models.DuplicateEmail), (
        "a name longer than its 50-character column made create_user raise DuplicateEmail: "
        "catch the IntegrityError of a taken email only, and let other errors through"
    )
    session.rollback()
    session.close()
    got = [email for email, _, _ in saved(engine)]
    assert got == ["ann@example.com"], f"saved: {got}"


@pytest.mark.about("list_users")
def test_list_pages(exercise, engine, session, sql_sent):
    """list_users returns one page in id order, picked by the database (LIMIT/OFFSET)

    The rows fetched and statements sent stay the same with ten times the users; deleted
    users leave no gap in the pages."""
    for count in (20, 200):
        given_users(engine, count - len(saved(engine)), first=len(saved(engine)))
        emails = [email for email, _, _ in saved(engine)]
        sent = sql_sent(engine)
        pages = {page: exercise.list_users(session, page=page, per_page=5) for page in (1, 3)}
        last = exercise.list_users(session, page=count // 5 + 1, per_page=5)
        for page, want in ((1, emails[:5]), (3, emails[10:15])):
            got = [user.email for user in pages[page]]
            assert got == want, f"page {page} of 5, of {count} users: expected {want}, got {got}"
        assert list(last) == [], f"the page after the last should be empty, got {list(last)}"
        selects = [(sql, rows) for sql, rows in sent if sql.lstrip().upper().startswith("SELECT")]
        assert selects, "list_users sent no SELECT"
        assert len(sent) <= 3, (
            f"list_users sent {len(sent)} statements for 3 pages of {count} users: "
            f"{[' '.join(sql.split()) for sql, _ in sent][:4]}"
        )
        for sql, rows in selects:
            shown = " ".join(sql.split())
            assert "LIMIT" in sql.upper() and "ORDER BY" in sql.upper(), (
                f"the database should order and cut the page (ORDER BY, offset, limit): "
                f"list_users sent {shown}"
            )
            assert rows <= 5, (
                f"list_users fetched {rows} rows for a page of 5, of {count} users: {shown}"
            )
    session.close()  # deleted users leave gaps in the ids: pages close them up
    with engine.begin() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM practice_user ORDER BY id"))]
        gone = [ids[1], ids[2], ids[6]]
        conn.execute(text(f"DELETE FROM practice_user WHERE id IN {tuple(gone)}"))
    emails = [email for email, _, _ in saved(engine)]
    got = [user.email for user in exercise.list_users(session, page=2, per_page=5)]
    assert got == emails[5:10], (
        f"with the 2nd, 3rd and 7th users deleted, page 2 of 5 should be {emails[5:10]}, got {got}"
    )


# --- generated sequences of calls, compared with the reference solution ---

NAMES = st.text("abcxyzABC ", min_size=1, max_size=12)
CREATE = st.tuples(st.just("create"), st.integers(0, 5), NAMES, st.integers(0, 120))
USER = st.integers(-1, 6)  # the n-th user created, from 0; -1 and those not made: unknown
CALL = st.one_of(
    CREATE,
    st.tuples(st.just("get"), USER),
    st.tuples(
        st.just("update"),
        USER,
        st.fixed_dictionaries({}, optional={"name": NAMES, "age": st.integers(0, 120)}),
    ),
    st.tuples(st.just("delete"), USER),
    st.tuples(st.just("delete"), USER),
    st.tuples(st.just("list"), st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.just("list"), st.integers(1, 3), st.integers(1, 3)),
)
# A few sign-ups first (some with a taken email), then anything, deletes and pages often.
CALLS = st.tuples(st.lists(CREATE, min_size=2, max_size=6), st.lists(CALL, min_size=2, max_size=10))
EMAILS = ["zoe@example.com", "ann@example.com", "max@example.com", "bea@example.com",
          "kim@example.com", "al@example.com"]  # fmt: skip


def play(module, engine, calls):
    """Run the calls through one session, as an application would; what each returned
    (a user as (its creation number, email, name, age), or the exception's name), then
    the committed table as another connection sees it. A user is named by the order it
    was created in, so that ids need not be the same."""
    with engine.begin() as conn:  # empty, and its ids from 1 again
        sqlite = engine.dialect.name == "sqlite"
        conn.execute(text(f"{'DELETE FROM' if sqlite else 'TRUNCATE TABLE'} practice_user"))
    ids, seen = [], []

    def user(found):
        if found is None:
            return None
        number = ids.index(found.id) if found.id in ids else f"id {found.id}"
        return (number, found.email, found.name, found.age)

    def target(n):
        return ids[n] if 0 <= n < len(ids) else UNKNOWN

    with Session(engine) as session:
        for call in calls:
            try:
                if call[0] == "create":
                    made = module.create_user(session, EMAILS[call[1]], call[2], call[3])
                    ids.append(made.id)
                    seen.append(user(made))
                elif call[0] == "get":
                    seen.append(user(module.get_user(session, target(call[1]))))
                elif call[0] == "update":
                    seen.append(user(module.update_user(session, target(call[1]), **call[2])))
                elif call[0] == "delete":
                    seen.append(module.delete_user(session, target(call[1])))
                else:
                    page = module.list_users(session, page=call[1], per_page=call[2])
                    seen.append([user(u) for u in page])
            except NotImplementedError:
                raise
            except Exception as exc:  # what the caller sees
                seen.append(type(exc).__name__)
                if not isinstance(exc, (models.DuplicateEmail, LookupError)):
                    session.rollback()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, email, name, age FROM practice_user ORDER BY id"))
        table = [(ids.index(i) if i in ids else f"id {i}", *rest) for i, *rest in rows]
    return seen, table


def shown(call):
    name, *args = call
    if name == "create":
        return f"create_user({EMAILS[args[0]]!r}, {args[1]!r}, {args[2]})"
    if name == "update":
        return f"update_user(user #{args[0]}, {args[1]})"
    if name == "list":
        return f"list_users(page={args[0]}, per_page={args[1]})"
    return f"{name}_user(user #{args[0]})"


REFERENCE = {}  # calls -> the reference's outcome, per engine: the same on every run


@pytest.mark.about("create_user")
def test_generated_calls_match_the_reference(exercise, reference, engine, generated):
    """generated sequences of calls give what the reference solution gives

    Creates (some with a taken email), gets, updates, deletes and pages, in any order:
    compared call by call, then the table."""

    @generated(15)
    @given(calls=CALLS)
    def same(calls):
        calls = calls[0] + calls[1]
        key = (engine.url.get_backend_name(), repr(calls))
        if key not in REFERENCE:
            REFERENCE[key] = play(reference, engine, calls)
        want_seen, want_table = REFERENCE[key]
        got_seen, got_table = play(exercise, engine, calls)
        for step, (call, want, got) in enumerate(zip(calls, want_seen, got_seen, strict=True)):
            steps = "; ".join(shown(c) for c in calls[:step]) or "nothing"
            assert got == want, (
                f"after {steps}: {shown(call)} gave {got}, expected {want} "
                "(user #n is the n-th created, from 0)"
            )
        assert got_table == want_table, (
            f"after {'; '.join(shown(c) for c in calls)}: another connection sees "
            f"{got_table}, expected {want_table}"
        )

    same()
