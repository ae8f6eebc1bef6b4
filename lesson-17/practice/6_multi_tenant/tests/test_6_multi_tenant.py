"""Exercise 6 tests, on MySQL: the schema keeps the organisations apart by itself.

Your models make the tables. Every row is then written with plain SQL through another
connection, as any program could write it, and read back there: what MySQL refuses is
fine; what it lets through is held against the rules. Nothing here looks at how your
models are written, only at what the tables they make accept and how MySQL reads them.

Stretch goal (the tests marked `stretch`): tenant_session() on your models. Tenant A can
never read or change tenant B's rows: each change is tried through A's session, and a
write that names B must be refused with PermissionError. Out of scope: raw SQL
(`text()`), which no ORM event sees (see the README).
"""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

# MySQL's errors for a row that breaks a rule of the schema: a NULL in a NOT NULL column,
# a column with no value and no default, a duplicate key, a foreign key, a CHECK.
REFUSED = {1048, 1364, 1062, 1216, 1217, 1451, 1452, 3819, 4025}
TASK = {  # the tables and columns the tests write
    "tenant_organisation": "tenant_organisation (id, name)",
    "tenant_member": "tenant_member (id, org_id, email, name)",
    "tenant_document": "tenant_document (id, org_id, owner_id, title)",
}


class Writer:
    """Plain SQL through a connection of its own. MySQL checks a row against the keys
    as each statement runs, and a refused statement undoes only itself, so a test runs
    in one transaction, rolled back at its end: nothing to commit, nothing to clean up."""

    def __init__(self, conn):
        self.conn = conn

    def attempt(self, sql, rows=None):
        """None if MySQL took the statement, else (its error code, message) for a broken
        rule. Any other error stops the test: the tables are not the task's."""
        try:
            self.conn.execute(text(sql), rows)
        except DBAPIError as exc:
            code, message = (list(exc.orig.args) + [None, None])[:2]
            if code in REFUSED:
                return code, message
            table = re.search(r"(?:INTO|UPDATE) (\w+)", sql)[1]
            if code == 1054:  # Unknown column 'org_id' in ...
                raise AssertionError(
                    f"{table} has no column {message.split(chr(39))[1]}: the tests write "
                    f"{TASK[table]}, each row with its organisation's id"
                ) from None
            raise AssertionError(
                f"{sql.split(' VALUES')[0]} failed: {message} (MySQL {code}); the tests "
                f"write {', '.join(TASK.values())}"
            ) from None
        return None

    def save(self, sql, rows=None, why=None, fix=None):
        """The statement must be taken: else the test fails with why, MySQL's refusal
        and fix (what to do about it)."""
        refused = self.attempt(sql, rows)
        if refused:
            raise AssertionError(
                f"{why or sql} was refused (MySQL: {refused[1]})" + (f": {fix}" if fix else "")
            )

    def read(self, sql, **params):
        return [tuple(row) for row in self.conn.execute(text(sql), params)]


@pytest.fixture
def sql(exercise, mysql_engine, tables):
    tables(mysql_engine, exercise.Base.metadata)
    with mysql_engine.connect() as conn, conn.begin() as transaction:
        yield Writer(conn)
        transaction.rollback()


def organisations(sql, count):
    sql.save(
        "INSERT INTO tenant_organisation (id, name) VALUES (:id, :name)",
        [{"id": n, "name": f"org {n}"} for n in range(1, count + 1)],
    )


MEMBER = "INSERT INTO tenant_member (id, org_id, email, name) VALUES ({}, {}, '{}', 'x')"
DOCUMENT = "INSERT INTO tenant_document (id, org_id, owner_id, title) VALUES ({}, {}, {}, '{}')"


NO_ORGANISATION = [  # what is tried, in which table, and how (each as row 11)
    ("a member with org_id NULL", "tenant_member", MEMBER.format(11, "NULL", "x@example.com")),
    (
        "a member inserted without org_id",
        "tenant_member",
        "INSERT INTO tenant_member (id, email, name) VALUES (11, 'x@example.com', 'x')",
    ),
    (
        "a member of organisation 99, which does not exist,",
        "tenant_member",
        MEMBER.format(11, 99, "x"),
    ),
    ("a document with org_id NULL", "tenant_document", DOCUMENT.format(11, "NULL", 1, "x")),
    (
        "a document inserted without org_id",
        "tenant_document",
        "INSERT INTO tenant_document (id, owner_id, title) VALUES (11, 1, 'x')",
    ),
    (
        "a document of organisation 99, which does not exist,",
        "tenant_document",
        DOCUMENT.format(11, 99, 1, "x"),
    ),
]


def test_every_row_belongs_to_an_organisation(exercise, sql):
    """every member and document belongs to an organisation that exists"""
    organisations(sql, 2)
    sql.save(MEMBER.format(1, 1, "ann@example.com"), why="a member of organisation 1")
    sql.save(DOCUMENT.format(1, 1, 1, "plan"), why="a document of organisation 1, owned by ann")
    for what, table, statement in NO_ORGANISATION:
        sql.attempt(statement)
        saved = sql.read(f"SELECT org_id FROM {table} WHERE id = 11")
        if saved:
            (org,) = saved[0]
            if org is None:
                fix = "make org_id NOT NULL"
            elif org in (1, 2):
                fix = f"it went to organisation {org}: give org_id no default"
            else:
                fix = "give org_id a foreign key to tenant_organisation.id"
            raise AssertionError(f"{what} was saved: {fix}")


def test_an_email_is_unique_within_an_organisation(exercise, sql):
    """an email is unique within an organisation, and two organisations may each have it"""
    organisations(sql, 2)
    sql.save(MEMBER.format(1, 1, "ann@example.com"), why="ann@example.com in organisation 1")
    sql.save(
        MEMBER.format(2, 2, "ann@example.com"),
        why="organisation 2's ann@example.com, when organisation 1 has one,",
        fix="an email must be unique within one organisation, not across all: make the "
        "pair (org_id, email) unique",
    )
    sql.save(MEMBER.format(3, 1, "bob@example.com"), why="bob@example.com in organisation 1")
    sql.attempt(MEMBER.format(4, 1, "ann@example.com"))
    sql.attempt(MEMBER.format(5, 2, "ann@example.com"))
    sql.attempt("UPDATE tenant_member SET email = 'ann@example.com' WHERE id = 3")
    twice = sql.read(
        "SELECT org_id, email, COUNT(*) FROM tenant_member GROUP BY org_id, email "
        "HAVING COUNT(*) > 1 ORDER BY org_id"
    )
    if twice:
        org, email, count = twice[0]
        raise AssertionError(
            f"organisation {org} has {count} members {email}: make the pair (org_id, email) "
            "unique, so that each organisation has an email once"
        )


def test_a_documents_owner_is_in_its_organisation(exercise, sql):
    """a document's owner is a member of the document's own organisation"""
    organisations(sql, 2)
    sql.save(
        "INSERT INTO tenant_member (id, org_id, email, name) VALUES "
        "(1, 1, 'ann@example.com', 'ann'), (2, 2, 'bob@example.com', 'bob'), "
        "(3, 1, 'cat@example.com', 'cat')",
        why="members ann and cat of organisation 1, bob of organisation 2",
    )
    sql.save(DOCUMENT.format(1, 1, 1, "acme plan"), why="organisation 1's document owned by ann")
    sql.save(DOCUMENT.format(2, 2, 2, "globex plan"), why="organisation 2's document owned by bob")
    sql.attempt(DOCUMENT.format(3, 2, 1, "globex leak"))  # B's document, A's member
    sql.attempt(DOCUMENT.format(4, 1, 2, "acme leak"))
    sql.attempt("UPDATE tenant_document SET org_id = 2 WHERE id = 1")  # the owner stays
    sql.attempt("UPDATE tenant_document SET owner_id = 2 WHERE id = 1")  # given to B's bob
    sql.attempt("UPDATE tenant_member SET org_id = 2 WHERE id = 1")  # ann moves, not her plan
    sql.save(
        "UPDATE tenant_document SET owner_id = 3 WHERE id = 1",
        why="organisation 1's plan handed from ann to cat, of the same organisation",
    )
    crossing = sql.read(
        "SELECT d.title, d.org_id, m.name, m.org_id FROM tenant_document d "
        "JOIN tenant_member m ON m.id = d.owner_id WHERE d.org_id <> m.org_id ORDER BY d.id"
    )
    if crossing:
        seen = "; ".join(
            f"'{title}' of organisation {org} by {name} of organisation {theirs}"
            for title, org, name, theirs in crossing
        )
        raise AssertionError(
            f"documents owned across organisations: {seen}. Refer to the owner by "
            "(org_id, owner_id), a foreign key to the member's (org_id, id), so that MySQL "
            "checks both together"
        )


PAGE = 5


def handler_reads(sql):
    """How many rows this connection's statements have read so far (InnoDB's handler)."""
    return sum(int(n) for _, n in sql.read("SHOW SESSION STATUS LIKE 'Handler_read%'"))


def test_a_page_of_one_organisations_documents_is_read_from_an_index(exercise, sql):
    """one organisation's documents, a page in title order, come straight from an index"""
    orgs, per_org = 8, 25
    organisations(sql, orgs)
    sql.save(
        "INSERT INTO tenant_member (id, org_id, email, name) VALUES (:n, :n, :email, 'm')",
        [{"n": n, "email": f"m{n}@example.com"} for n in range(1, orgs + 1)],
    )
    rows = [
        {"id": n + 1, "org": 1 + n % orgs, "title": f"doc {n * 37 % 1000:03d}"}
        for n in range(orgs * per_org)
    ]
    sql.save(
        "INSERT INTO tenant_document (id, org_id, owner_id, title) "
        "VALUES (:id, :org, :org, :title)",
        rows,
    )
    query = f"SELECT title FROM tenant_document WHERE org_id = 3 ORDER BY title LIMIT {PAGE}"
    want = sorted(r["title"] for r in rows if r["org"] == 3)[:PAGE]
    assert [t for (t,) in sql.read(query)] == want  # once to warm up, and the right page
    start = handler_reads(sql)
    cost = handler_reads(sql) - start  # of asking itself
    start = handler_reads(sql)
    got = sql.read(query)
    read = handler_reads(sql) - start - cost
    assert [t for (t,) in got] == want
    if read > 2 * PAGE:
        plan = sql.conn.execute(text(f"EXPLAIN {query}")).mappings().first()
        raise AssertionError(
            f"to give the {PAGE} first titles of organisation 3 (of {orgs}), MySQL read "
            f"{read} rows of {len(rows)} (EXPLAIN: type={plan['type']}, key={plan['key']}, "
            f"{plan['Extra']}): give tenant_document an index on org_id, then title"
        )


# --- stretch goal: tenant_session, on your models ---

A, B = 1, 2
ROWS = (
    "INSERT INTO tenant_organisation (id, name) VALUES (1, 'acme'), (2, 'globex')",
    "INSERT INTO tenant_member (id, org_id, email, name) VALUES "
    "(1, 1, 'ann@example.com', 'ann'), (2, 2, 'bob@example.com', 'bob')",
    "INSERT INTO tenant_document (id, org_id, owner_id, title) VALUES "
    "(1, 1, 1, 'acme plan'), (2, 1, 1, 'acme budget'), "
    "(3, 2, 2, 'globex secret'), (4, 2, 2, 'globex plan')",
)


@pytest.fixture
def engine(exercise, mysql_engine, tables):
    exercise.tenant_session(mysql_engine, A).close()  # written yet?
    try:
        tables(mysql_engine, exercise.Base.metadata, *ROWS)
    except DBAPIError as exc:
        raise AssertionError(
            f"the stretch goal runs on your models, and their tables do not take its rows "
            f"({exc.orig}): do the main part first"
        ) from None
    return mysql_engine


def titles(engine, org_id):
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title FROM tenant_document WHERE org_id = :o ORDER BY id"), {"o": org_id}
        )
        return [row[0] for row in rows]


B_ROWS = ["globex secret", "globex plan"]


def attempt(session, change):
    """Try a change through a tenant's session and commit it: it must be refused with
    PermissionError (then the session is rolled back, and goes on)."""
    try:
        change()
        session.commit()
    except PermissionError:
        session.rollback()
        return
    except DBAPIError as exc:  # the schema stopped it, but the session let it go
        session.rollback()
        raise AssertionError(
            f"a write naming another organisation was sent to MySQL, which refused it "
            f"({exc.orig}): refuse it in the session, with PermissionError, before it is sent"
        ) from None
    raise AssertionError(
        "a write naming another organisation went through, without PermissionError: "
        "refuse it, do not re-stamp it or let it pass"
    )


def untouched(engine):
    got = titles(engine, B)
    assert got == B_ROWS, f"B's documents changed through A's session: {B_ROWS} became {got}"


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_queries(exercise, engine):
    """a tenant's queries return only its own rows, whatever the query"""
    D = exercise.Document
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
        got = [m.name for m in session.scalars(select(exercise.Member))]
        assert got == ["ann"], f"select(Member) gave {got}"


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_relationships(exercise, engine):
    """relationship loads are filtered too"""
    with exercise.tenant_session(engine, B) as session:
        assert session.get(exercise.Member, 1) is None, "get() of another tenant's member"
        bob = session.get(exercise.Member, 2)
        got = sorted(d.title for d in bob.documents)
        assert got == ["globex plan", "globex secret"], f"bob.documents gave {got}"
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(exercise.Member, 1)
        got = sorted(d.title for d in ann.documents)
        assert got == ["acme budget", "acme plan"], f"ann.documents gave {got}"
        assert ann.documents[0].owner is ann, "a document's owner is not its member"


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_bulk_changes(exercise, engine):
    """bulk UPDATE and DELETE reach only the tenant's rows"""
    with exercise.tenant_session(engine, A) as session:
        session.execute(update(exercise.Document).values(title="renamed"))
        session.execute(delete(exercise.Document).where(exercise.Document.id == 3))
        session.commit()
    got = titles(engine, A)
    assert got == ["renamed", "renamed"], f"A's documents after the bulk UPDATE: {got}"
    untouched(engine)


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_new_rows(exercise, engine):
    """new rows get the tenant's id; a new row naming another tenant does not land there"""
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(exercise.Member, 1)
        session.add(exercise.Document(title="acme memo", owner=ann))
        session.commit()
        attempt(
            session, lambda: session.add(exercise.Document(title="planted", owner=ann, org_id=B))
        )
    got = titles(engine, A)
    assert got[:3] == ["acme plan", "acme budget", "acme memo"], f"A's documents: {got}"
    untouched(engine)


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_a_write_is_checked_before_any_query_flushes_it(exercise, engine):
    """a new row naming another tenant is refused even when a query flushes it first

    A query between add() and commit() flushes the row (autoflush)."""
    with exercise.tenant_session(engine, A) as session:
        ann = session.get(exercise.Member, 1)

        def add_then_query():
            session.add(exercise.Document(title="planted", owner=ann, org_id=B))
            session.scalars(select(exercise.Document)).all()  # autoflush: the row is sent here

        attempt(session, add_then_query)
    untouched(engine)


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_two_live_sessions_stay_apart(exercise, engine):
    """two tenants' sessions open at the same time each see and stamp their own rows"""
    with exercise.tenant_session(engine, A) as a, exercise.tenant_session(engine, B) as b:
        seen_a = a.scalars(select(exercise.Document.title).order_by(exercise.Document.id)).all()
        seen_b = b.scalars(select(exercise.Document.title).order_by(exercise.Document.id)).all()
        assert (seen_a, seen_b) == (["acme plan", "acme budget"], B_ROWS), (
            f"with A's and B's sessions both open, A sees {seen_a} and B sees {seen_b}: "
            "keep each session's organisation in that session, not in a global"
        )
        a.add(exercise.Document(title="acme memo", owner_id=1))
        a.commit()
        b.add(exercise.Document(title="globex memo", owner_id=2))
        b.commit()
    got = (titles(engine, A), titles(engine, B))
    assert got == (["acme plan", "acme budget", "acme memo"], [*B_ROWS, "globex memo"]), (
        f"rows added through A's and B's open sessions landed as A: {got[0]}, B: {got[1]}"
    )


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_rows_cannot_move(exercise, engine):
    """a tenant cannot move its rows to another tenant, one by one or in bulk"""
    with exercise.tenant_session(engine, A) as session:
        plan = session.get(exercise.Document, 1)

        def move():
            plan.org_id = B

        attempt(session, move)
        attempt(session, lambda: session.execute(update(exercise.Document).values(org_id=B)))
    got = titles(engine, A)
    assert got == ["acme plan", "acme budget"], f"A's documents: {got}"
    untouched(engine)


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_orm_insert(exercise, engine):
    """insert() through a tenant's session adds rows to that tenant only"""
    D = exercise.Document
    with exercise.tenant_session(engine, A) as session:
        try:
            session.execute(insert(D).values(title="acme note", owner_id=1))
            session.commit()
        except DBAPIError as exc:
            raise AssertionError(
                f"insert(Document).values(...) without org_id was refused by MySQL "
                f"({exc.orig}): give the rows of insert() the organisation's id too"
            ) from None
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
    """The fixture's documents again, 1-4; members 1 (A) and 2 (B) stay."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM tenant_document"))
        conn.execute(
            text(
                "INSERT INTO tenant_document (id, title, owner_id, org_id) VALUES "
                "(1, 'acme plan', 1, 1), (2, 'acme budget', 1, 1), "
                "(3, 'globex secret', 2, 2), (4, 'globex plan', 2, 2)"
            )
        )


def one(module, session, call, n, own):
    """One call through a tenant's session, committed; what it gave."""
    D = module.Document
    name, _, *args = call
    if name == "list":
        return session.scalars(select(D.title).order_by(D.id)).all()
    if name == "get":
        found = session.get(D, args[0])
        return found and found.title
    if name == "documents of":
        member = session.get(module.Member, args[0])
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
                seen.append(one(module, session, call, n, own))
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


@pytest.mark.stretch
@pytest.mark.about("tenant_session")
def test_generated_calls_match_the_reference(exercise, reference, engine, generated):
    """generated calls through two open sessions give what the reference solution gives

    A's and B's sessions both open: queries, get, relationship loads, bulk changes, new
    rows naming no, their own or the other organisation, moves, insert() of one row or
    many, a query between adding and committing."""

    @generated(10)
    @given(calls=CALLS)
    def same(calls):
        if repr(calls) not in REFERENCE:
            REFERENCE[repr(calls)] = play(reference, engine, calls)
        want_seen, want_table = REFERENCE[repr(calls)]
        if exercise is reference:  # the reference itself: its play above is the proof
            return
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
