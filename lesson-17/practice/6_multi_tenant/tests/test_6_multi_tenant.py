"""Exercise 6 tests, on MySQL: tenant A can never read or change tenant B's rows.

Each change is tried through A's session; a write that names B must be refused with
PermissionError. What the tables hold is read back through another connection.
Out of scope: raw SQL (`text()`), which no ORM event sees (see the README).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session, aliased

import tenant_models as models

A, B = 1, 2


@pytest.fixture
def engine(exercise, mysql_engine, tables):
    engine = mysql_engine
    tables(engine, models.Base.metadata)
    with Session(engine) as session:  # a plain session: the set-up sees everything
        session.add_all(
            [models.Organisation(id=A, name="acme"), models.Organisation(id=B, name="globex")]
        )
        session.flush()
        ann = models.Member(id=1, name="ann", org_id=A)
        bob = models.Member(id=2, name="bob", org_id=B)
        session.add_all([ann, bob])
        session.flush()
        session.add_all(
            [
                models.Document(id=1, title="acme plan", owner=ann, org_id=A),
                models.Document(id=2, title="acme budget", owner=ann, org_id=A),
                models.Document(id=3, title="globex secret", owner=bob, org_id=B),
                # a row that should not exist, but does: B's document owned by A's member
                models.Document(id=4, title="globex leak", owner=ann, org_id=B),
            ]
        )
        session.commit()
    yield engine


def titles(engine, org_id):
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title FROM tenant_document WHERE org_id = :o ORDER BY id"), {"o": org_id}
        )
        return [row[0] for row in rows]


B_ROWS = ["globex secret", "globex leak"]


def attempt(session, change):
    """Try a change through a tenant's session and commit it: it must be refused with
    PermissionError (then the session is rolled back, and goes on)."""
    try:
        change()
        session.commit()
    except PermissionError:
        session.rollback()
    else:
        pytest.fail(
            "a write naming another organisation went through, without PermissionError: "
            "refuse it, do not re-stamp it or let it pass",
            pytrace=False,
        )


def untouched(engine):
    got = titles(engine, B)
    assert got == B_ROWS, f"B's documents changed through A's session: {B_ROWS} became {got}"


@pytest.mark.about("tenant_session")
def test_queries(exercise, engine):
    """a tenant's queries return only its own rows, whatever the query"""
    D = models.Document
    with exercise.tenant_session(engine, A) as session:
        got = session.scalars(select(D).order_by(D.id)).all()
        assert [d.title for d in got] == ["acme plan", "acme budget"], (
            f"select(Document) gave {[d.title for d in got]}"
        )
        got = session.scalars(select(D.title).order_by(D.id)).all()
        assert got == ["acme plan", "acme budget"], f"select(Document.title) gave {got}"
        got = session.scalar(select(func.count(D.id)))
        assert got == 2, f"select(func.count(Document.id)) gave {got}"
        other = aliased(D)
        got = session.scalars(select(other.title).order_by(other.id)).all()
        assert got == ["acme plan", "acme budget"], f"an aliased(Document) query gave {got}"
        assert session.get(D, 3) is None, "get() of another tenant's document found it"
        got = [m.name for m in session.scalars(select(models.Member))]
        assert got == ["ann"], f"select(Member) gave {got}"


@pytest.mark.about("tenant_session")
def test_relationships(exercise, engine):
    """relationship loads are filtered too"""
    with exercise.tenant_session(engine, B) as session:
        assert session.get(models.Member, 1) is None, "get() of another tenant's member"
        bob = session.get(models.Member, 2)
        got = [d.title for d in bob.documents]
        assert got == ["globex secret"], f"bob.documents gave {got}"
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(models.Member, 1)
        got = sorted(d.title for d in ann.documents)
        assert got == ["acme budget", "acme plan"], (
            f"ann.documents gave {got}: her documents of another organisation must stay hidden"
        )


@pytest.mark.about("tenant_session")
def test_bulk_changes(exercise, engine):
    """bulk UPDATE and DELETE reach only the tenant's rows"""
    with exercise.tenant_session(engine, A) as session:
        session.execute(update(models.Document).values(title="renamed"))
        session.execute(delete(models.Document).where(models.Document.id == 3))
        session.commit()
    got = titles(engine, A)
    assert got == ["renamed", "renamed"], f"A's documents after the bulk UPDATE: {got}"
    untouched(engine)


@pytest.mark.about("tenant_session")
def test_new_rows(exercise, engine):
    """new rows get the tenant's id; a new row naming another tenant does not land there"""
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(models.Member, 1)
        session.add(models.Document(title="acme memo", owner=ann))
        session.commit()
        attempt(session, lambda: session.add(models.Document(title="planted", owner=ann, org_id=B)))
    got = titles(engine, A)
    assert got[:3] == ["acme plan", "acme budget", "acme memo"], f"A's documents: {got}"
    untouched(engine)


@pytest.mark.about("tenant_session")
def test_a_write_is_checked_before_any_query_flushes_it(exercise, engine):
    """a new row naming another tenant is refused even when a query flushes it first

    A query between add() and commit() flushes the row (autoflush)."""
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(models.Member, 1)

        def add_then_query():
            session.add(models.Document(title="planted", owner=ann, org_id=B))
            session.scalars(select(models.Document)).all()  # autoflush: the row is sent here

        attempt(session, add_then_query)
    untouched(engine)


@pytest.mark.about("tenant_session")
def test_two_live_sessions_stay_apart(exercise, engine):
    """two tenants' sessions open at the same time each see and stamp their own rows"""
    with exercise.tenant_session(engine, A) as a, exercise.tenant_session(engine, B) as b:
        seen_a = a.scalars(select(models.Document.title).order_by(models.Document.id)).all()
        seen_b = b.scalars(select(models.Document.title).order_by(models.Document.id)).all()
        assert (seen_a, seen_b) == (["acme plan", "acme budget"], B_ROWS), (
            f"with A's and B's sessions both open, A sees {seen_a} and B sees {seen_b}: "
            "keep each session's organisation in that session, not in a global"
        )
        a.add(models.Document(title="acme memo", owner_id=1))
        a.commit()
        b.add(models.Document(title="globex memo", owner_id=2))
        b.commit()
    got = (titles(engine, A), titles(engine, B))
    assert got == (["acme plan", "acme budget", "acme memo"], [*B_ROWS, "globex memo"]), (
        f"rows added through A's and B's open sessions landed as A: {got[0]}, B: {got[1]}"
    )


@pytest.mark.about("tenant_session")
def test_rows_cannot_move(exercise, engine):
    """a tenant cannot move its rows to another tenant, one by one or in bulk"""
    with exercise.tenant_session(engine, A) as session:
        plan = session.get(models.Document, 1)

        def move():
            plan.org_id = B

        attempt(session, move)
        attempt(session, lambda: session.execute(update(models.Document).values(org_id=B)))
    got = titles(engine, A)
    assert got == ["acme plan", "acme budget"], f"A's documents: {got}"
    untouched(engine)


@pytest.mark.about("tenant_session")
def test_orm_insert(exercise, engine):
    """insert() through a tenant's session adds rows to that tenant only"""
    D = models.Document
    with exercise.tenant_session(engine, A) as session:
        session.execute(insert(D).values(title="acme note", owner_id=1))
        session.commit()
        attempt(
            session,
            lambda: session.execute(insert(D).values(title="planted", owner_id=1, org_id=B)),
        )
        attempt(
            session,
            lambda: session.execute(insert(D), [{"title": "planted", "owner_id": 1, "org_id": B}]),
        )
    got = titles(engine, A)
    assert got == ["acme plan", "acme budget", "acme note"], (
        f"A's documents after insert(Document).values(...) without org_id: {got}"
    )
    untouched(engine)


# --- generated sequences through two live sessions, compared with the reference ---

SESSION = st.integers(0, 1)  # 0: A's session, 1: B's: both open all along
ORG = st.sampled_from([None, A, B])  # a new row's org_id: none, A's or B's
CALLS = st.lists(
    st.one_of(
        st.tuples(st.just("list"), SESSION),
        st.tuples(st.just("get"), SESSION, st.sampled_from([1, 2, 3, 4, 99])),
        st.tuples(st.just("documents of"), SESSION, st.integers(1, 2)),
        st.tuples(st.just("rename all"), SESSION),
        st.tuples(st.just("delete"), SESSION, st.integers(1, 4)),
        st.tuples(st.just("add"), SESSION, ORG),
        st.tuples(st.just("add, then list"), SESSION, ORG),
        st.tuples(st.just("move"), SESSION, st.integers(1, 4), ORG),
        st.tuples(st.just("insert"), SESSION, ORG),
        st.tuples(st.just("insert many"), SESSION, ORG),
    ),
    min_size=2,
    max_size=10,
)


def reset(engine):
    """The fixture's rows again: documents 1-4, members 1 (A) and 2 (B)."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM tenant_document"))
        conn.execute(
            text(
                "INSERT INTO tenant_document (id, title, owner_id, org_id) VALUES "
                "(1, 'acme plan', 1, 1), (2, 'acme budget', 1, 1), "
                "(3, 'globex secret', 2, 2), (4, 'globex leak', 1, 2)"
            )
        )


def one(session, call, n, own):
    """One call through a tenant's session, committed; what it gave."""
    D = models.Document
    name, _, *args = call
    if name == "list":
        return session.scalars(select(D.title).order_by(D.id)).all()
    if name == "get":
        found = session.get(D, args[0])
        return found and found.title
    if name == "documents of":
        member = session.get(models.Member, args[0])
        return member and sorted(d.title for d in member.documents)
    if name == "rename all":
        session.execute(update(D).values(title=f"renamed {n}"))
    elif name == "delete":
        session.execute(delete(D).where(D.id == args[0]))
    elif name in ("add", "add, then list"):
        session.add(D(title=f"new {n}", owner_id=own, org_id=args[0]))
        if name == "add, then list":
            listed = session.scalars(select(D.title).order_by(D.id)).all()
            session.commit()
            return listed
    elif name == "move":
        found = session.get(D, args[0])
        if found is not None:
            found.org_id = args[1]
    else:
        values = {"title": f"inserted {n}", "owner_id": own}
        values.update({"org_id": args[0]} if args[0] else {})
        if name == "insert":
            session.execute(insert(D).values(**values))
        else:  # a list of rows: executemany
            session.execute(insert(D), [values, {**values, "title": f"inserted {n}b"}])
    session.commit()
    return "done"


def play(module, engine, calls):
    reset(engine)
    seen = []
    with module.tenant_session(engine, A) as a, module.tenant_session(engine, B) as b:
        for n, call in enumerate(calls):
            session, own = (a, 1) if call[1] == 0 else (b, 2)
            try:
                seen.append(one(session, call, n, own))
            except NotImplementedError:
                raise
            except Exception as exc:  # what the caller sees
                seen.append(type(exc).__name__)
                session.rollback()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT title, org_id FROM tenant_document ORDER BY title"))
        return seen, [tuple(row) for row in rows]


def shown(call):
    name, who, *args = call
    return f"{'AB'[who]}: {name}{tuple(args) if args else ''}"


REFERENCE = {}


@pytest.mark.about("tenant_session")
def test_generated_calls_match_the_reference(exercise, reference, engine, generated):
    """generated calls through two open sessions give what the reference solution gives

    A's and B's sessions both open: queries, get, relationship loads, bulk changes, new
    rows naming no, their own or the other organisation, moves, insert() of one row or
    many, a query between adding and committing."""

    @generated(25)
    @given(calls=CALLS)
    def same(calls):
        if repr(calls) not in REFERENCE:
            REFERENCE[repr(calls)] = play(reference, engine, calls)
        want_seen, want_table = REFERENCE[repr(calls)]
        got_seen, got_table = play(exercise, engine, calls)
        for step, (call, want, got) in enumerate(zip(calls, want_seen, got_seen, strict=True)):
            steps = "; ".join(shown(c) for c in calls[:step]) or "nothing"
            assert got == want, (
                f"after {steps}: {shown(call)} gave {got}, expected {want} (a refused write "
                "is PermissionError)"
            )
        assert got_table == want_table, (
            f"after {'; '.join(shown(c) for c in calls)}: the documents are (title, org) "
            f"{got_table}, expected {want_table}"
        )

    same()
