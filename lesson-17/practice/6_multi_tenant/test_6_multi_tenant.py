"""Exercise 6 tests, on MySQL: tenant A can never read or change tenant B's rows."""

import pytest
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.orm import Session

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


def test_queries_see_only_the_tenants_rows(exercise, engine):
    """a tenant's queries return only its own rows"""
    with exercise.tenant_session(engine, A) as session:
        found = session.scalars(select(models.Document).order_by(models.Document.id)).all()
        assert [d.title for d in found] == ["acme plan", "acme budget"]
        assert session.get(models.Document, 3) is None, "get() of another tenant's row"
        assert [m.name for m in session.scalars(select(models.Member))] == ["ann"]


def test_relationships_do_not_leak(exercise, engine):
    """relationship loads are filtered too"""
    with exercise.tenant_session(engine, B) as session:
        assert session.get(models.Member, 1) is None
        bob = session.get(models.Member, 2)
        assert [d.title for d in bob.documents] == ["globex secret"]
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(models.Member, 1)
        assert sorted(d.title for d in ann.documents) == ["acme budget", "acme plan"], (
            "ann's documents of another organisation must stay hidden"
        )


def test_bulk_changes_stay_inside_the_tenant(exercise, engine):
    """bulk UPDATE and DELETE cannot touch another tenant's rows"""
    with exercise.tenant_session(engine, A) as session:
        session.execute(update(models.Document).values(title="renamed"))
        session.execute(delete(models.Document).where(models.Document.id == 3))
        session.commit()
    assert titles(engine, A) == ["renamed", "renamed"]
    assert titles(engine, B) == ["globex secret", "globex leak"], "B's rows must be untouched"


def test_new_rows_belong_to_the_tenant(exercise, engine):
    """rows added through a tenant's session get that tenant's id"""
    with exercise.tenant_session(engine, B) as session:
        bob = session.get(models.Member, 2)
        session.add(models.Document(title="globex memo", owner=bob))
        session.commit()
    assert titles(engine, B) == ["globex secret", "globex leak", "globex memo"]
