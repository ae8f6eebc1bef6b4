"""Exercise 2 tests, on MySQL; what was saved is read back through another connection."""

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import blog_models as models

DAY = datetime(2026, 3, 1, 9, 0)


@pytest.fixture
def engine(exercise, mysql_engine, tables):
    engine = mysql_engine
    tables(engine, models.Base.metadata)
    yield engine


def read(engine, sql):
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def given_blog(engine, posts, first=DAY, start=0):
    """`posts` posts saved without the exercise's functions, an hour apart from `first`,
    published in an order that is not their id order; post n (counted from `start`) has
    n % 4 comments. [(title, author, comments)] newest first."""
    hours = list(range(posts))
    random.Random(2).shuffle(hours)  # ids follow the list; publication times do not
    with Session(engine) as session:
        names = [f"author{k}" for k in range(3)] + ["reader"]
        found = {a.name: a for a in session.scalars(select(models.Author))}
        authors = [found.get(name) or models.Author(name=name) for name in names]
        reader = authors.pop()
        for k, hour in enumerate(hours):
            n = start + k
            post = models.Post(
                title=f"Post {n}", body="...", published=first + timedelta(hours=hour),
                author=authors[n % 3],
            )  # fmt: skip
            post.comments = [models.Comment(text="nice", author=reader) for _ in range(n % 4)]
            session.add(post)
        session.commit()
    newest = sorted(range(posts), key=lambda k: hours[k], reverse=True)
    return [(f"Post {start + k}", f"author{(start + k) % 3}", (start + k) % 4) for k in newest]


@pytest.mark.about("publish")
def test_publish(exercise, engine):
    """publish saves posts, creating each author once"""
    with Session(engine) as session:
        exercise.publish(session, "ann", "Hello", "First post", DAY)
        post = exercise.publish(session, "ann", "Again", "Second post", DAY + timedelta(days=1))
        assert post is not None and post.id is not None, "publish should return the saved Post"
    authors = read(engine, "SELECT name FROM blog_author")
    posts = read(engine, "SELECT p.title, a.name FROM blog_post p JOIN blog_author a"
                 " ON a.id = p.author_id ORDER BY p.id")  # fmt: skip
    assert authors == [("ann",)], f"each author should be saved once, committed: got {authors}"
    assert posts == [("Hello", "ann"), ("Again", "ann")], f"not committed, or wrong: got {posts}"


@pytest.mark.about("comment")
def test_comment(exercise, engine):
    """comment saves a comment on a post, creating its author once"""
    given_blog(engine, 2)  # Post 1 has a comment by "reader"
    before = [name for (name,) in read(engine, "SELECT name FROM blog_author ORDER BY name")]
    post_id = read(engine, "SELECT id FROM blog_post WHERE title = 'Post 0'")[0][0]
    with Session(engine) as session:
        exercise.comment(session, post_id, "bob", "Welcome!")
        exercise.comment(session, post_id, "reader", "Thanks")
    got = read(engine, "SELECT c.text, a.name FROM blog_comment c JOIN blog_author a"
               f" ON a.id = c.author_id WHERE c.post_id = {post_id} ORDER BY c.id")  # fmt: skip
    assert got == [("Welcome!", "bob"), ("Thanks", "reader")], (
        f"not committed, or wrong: another connection sees {got} on Post 0"
    )
    names = [name for (name,) in read(engine, "SELECT name FROM blog_author ORDER BY name")]
    assert names == sorted([*before, "bob"]), f"each author should be saved once: got {names}"


@pytest.mark.about("front_page")
def test_front_page(exercise, engine):
    """front_page lists the newest posts with their author and number of comments"""
    newest = given_blog(engine, 15)
    for limit in (5, 15):
        with Session(engine) as session:
            got = exercise.front_page(session, limit=limit)
        got = [tuple(row) for row in got]
        assert got == newest[:limit], (
            f"front_page(limit={limit}): expected {newest[:limit]}, got {got}"
        )


@pytest.mark.about("front_page")
def test_front_page_is_not_n_plus_1(exercise, engine, sql_sent, tables):
    """front_page sends at most 2 statements, and reads no more as the blog grows

    With a LIMIT; the same rows fetched for the newest posts of a blog of 20 posts as of
    one ten times that size."""
    used = {}
    for posts in (20, 200):
        older = posts - 20  # the blog grows into the past: the newest 20 stay the newest
        given_blog(engine, 20, first=DAY + timedelta(days=30), start=older)
        if older:
            given_blog(engine, older, first=DAY, start=0)
        for limit in (5, 20):
            with Session(engine) as session:
                sent = sql_sent(engine)
                page = exercise.front_page(session, limit=limit)
            assert len(page) == limit, f"front_page(limit={limit}) gave {len(page)} posts"
            statements = [" ".join(sql.split()) for sql, _ in sent]
            assert len(sent) <= 2, (
                f"front_page(limit={limit}) sent {len(sent)} statements, one per post or "
                f"more (N+1): {statements[:3]} ..."
            )
            assert any("LIMIT" in sql for sql in statements), (
                f"the database should cut the page (LIMIT): front_page sent {statements}"
            )
            used[posts, limit] = (len(sent), sum(max(rows, 0) for _, rows in sent), statements)
        tables(engine, models.Base.metadata)
    for limit in (5, 20):
        (small, small_rows, _), (big, big_rows, sql) = used[20, limit], used[200, limit]
        assert (big, big_rows) == (small, small_rows), (
            f"front_page(limit={limit}) fetched {small_rows} rows in {small} statements from "
            f"a blog of 20 posts, and {big_rows} rows in {big} from one of 200 with the same "
            f"newest posts: it reads more than the page needs ({sql})"
        )


@pytest.mark.about("publish")
def test_a_failed_publish_raises(exercise, engine):
    """a post the database refuses raises its error, and saves nothing

    A title over 200 characters (DataError), a post without a time (IntegrityError)."""
    for title, published, why in (("T" * 201, DAY, "a title too long"), ("T", None, "no time")):
        with Session(engine) as session:
            try:
                post = exercise.publish(session, "ann", title, "refused", published)
            except NotImplementedError:
                raise
            except Exception:  # the database's error, as it is
                pass
            else:
                pytest.fail(
                    f"publish of a post MySQL refuses ({why}) returned {post!r} (id "
                    f"{getattr(post, 'id', None)}) and raised nothing: let the error through",
                    pytrace=False,
                )
    got = read(engine, "SELECT title FROM blog_post")
    assert got == [], f"a refused post was saved: {got}"


# --- generated sequences of calls, compared with the reference solution ---

AUTHORS = ["ann", "bob", "cyd", "dee"]
CALLS = st.lists(
    st.one_of(
        st.tuples(  # hours from a few: several posts in the same hour, out of order
            st.just("publish"), st.integers(0, 3), st.integers(0, 5), st.integers(0, 3)
        ),
        st.tuples(st.just("comment"), st.integers(0, 6), st.integers(0, 3)),
        st.tuples(st.just("front_page"), st.integers(1, 6)),
    ),
    min_size=3,
    max_size=14,
)


def play(module, engine, calls):
    """Run the calls, each in its own session; what each gave, then the tables as
    another connection sees them. Posts are named by the order they were published in."""
    with engine.begin() as conn:
        for table in ("blog_comment", "blog_post", "blog_author"):
            conn.execute(text(f"DELETE FROM {table}"))
    ids, seen = [], []
    for n, call in enumerate(calls):
        with Session(engine) as session:
            try:
                if call[0] == "publish":
                    _, author, hour, minute = call
                    when = DAY + timedelta(hours=hour, minutes=minute * 20)
                    post = module.publish(session, AUTHORS[author], f"T{n}", "...", when)
                    ids.append(post.id)
                    seen.append((post.title, post.author.name, post.published))
                elif call[0] == "comment":
                    if not ids:
                        seen.append(None)
                        continue
                    post_id = ids[call[1] % len(ids)]
                    note = module.comment(session, post_id, AUTHORS[call[2]], f"C{n}")
                    seen.append((ids.index(note.post_id), note.author.name, note.text))
                else:
                    seen.append([tuple(row) for row in module.front_page(session, call[1])])
            except NotImplementedError:
                raise
            except Exception as exc:  # what the caller sees
                seen.append(type(exc).__name__)
    tables = (
        read(engine, "SELECT name FROM blog_author ORDER BY name"),
        read(
            engine,
            "SELECT p.title, a.name, p.published FROM blog_post p JOIN blog_author a"
            " ON a.id = p.author_id ORDER BY p.id",
        ),  # fmt: skip
        read(
            engine,
            "SELECT p.title, a.name, c.text FROM blog_comment c JOIN blog_post p ON"
            " p.id = c.post_id JOIN blog_author a ON a.id = c.author_id ORDER BY c.id",
        ),  # fmt: skip
    )
    return seen, tables


def shown(n, call):
    if call[0] == "publish":
        when = DAY + timedelta(hours=call[2], minutes=call[3] * 20)
        return f"publish({AUTHORS[call[1]]!r}, 'T{n}', published={when:%H:%M})"
    if call[0] == "comment":
        return f"comment(on post #{call[1]}, {AUTHORS[call[2]]!r}, 'C{n}')"
    return f"front_page(limit={call[1]})"


REFERENCE = {}  # calls -> the reference's outcome: the same on every run


@pytest.mark.about("publish")
def test_generated_calls_match_the_reference(exercise, reference, engine, generated):
    """generated posts, comments and front pages give what the reference solution gives

    Several posts in the same hour, published out of order; compared call by call, then
    the tables."""

    @generated(20)
    @given(calls=CALLS)
    def same(calls):
        if repr(calls) not in REFERENCE:
            REFERENCE[repr(calls)] = play(reference, engine, calls)
        want_seen, want_tables = REFERENCE[repr(calls)]
        got_seen, got_tables = play(exercise, engine, calls)
        for step, (call, want, got) in enumerate(zip(calls, want_seen, got_seen, strict=True)):
            steps = "; ".join(shown(n, c) for n, c in enumerate(calls[:step])) or "nothing"
            assert got == want, f"after {steps}: {shown(step, call)} gave {got}, expected {want}"
        everything = "; ".join(shown(n, c) for n, c in enumerate(calls))
        for what, want, got in zip(
            ("authors", "posts", "comments"), want_tables, got_tables, strict=True
        ):
            assert got == want, (
                f"after {everything}: another connection sees the {what} {got}, expected {want}"
            )

    same()
