"""Exercise 6 tests, on MySQL: tenant A can never read or change tenant B's rows.

Each change is tried through A's session; a refusal (an exception) and a change kept
inside A both pass. What the tables hold is read back through another connection.
Out of scope: raw SQL (`text()`), which no ORM event sees (see the README).
"""

import pytest
from sqlalchemy import create_engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session, aliased

import tenant_models as models

A, B = 1, 2


@pytest.fixture
def engine(exercise, mysql_url):
    engine = create_engine(mysql_url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
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
    engine.dispose()


def titles(engine, org_id):
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title FROM tenant_document WHERE org_id = :o ORDER BY id"), {"o": org_id}
        )
        return [row[0] for row in rows]


B_ROWS = ["globex secret", "globex leak"]


def attempt(session, change):
    """Try a change through a tenant's session and commit it; a refusal is fine."""
    try:
        change()
        session.commit()
    except NotImplementedError:
        raise
    except Exception:
        session.rollback()


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
