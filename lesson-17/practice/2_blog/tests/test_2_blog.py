"""Exercise 2 tests, on MySQL; what was saved is read back through another connection."""

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import blog_models as models

DAY = datetime(2026, 3, 1, 9, 0)


@pytest.fixture
def engine(exercise, mysql_url):
    engine = create_engine(mysql_url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def read(engine, sql):
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def given_blog(engine, posts):
    """`posts` posts saved without the exercise's functions, published in an order that is
    not their id order; post n has n % 4 comments. [(title, author, comments)] newest first."""
    hours = list(range(posts))
    random.Random(2).shuffle(hours)  # ids follow the list; publication times do not
    with Session(engine) as session:
        authors = [models.Author(name=f"author{k}") for k in range(3)]
        reader = models.Author(name="reader")
        for n, hour in enumerate(hours):
            post = models.Post(
                title=f"Post {n}", body="...", published=DAY + timedelta(hours=hour),
                author=authors[n % 3],
            )  # fmt: skip
            post.comments = [models.Comment(text="nice", author=reader) for _ in range(n % 4)]
            session.add(post)
        session.commit()
    newest = sorted(range(posts), key=lambda n: hours[n], reverse=True)
    return [(f"Post {n}", f"author{n % 3}", n % 4) for n in newest]


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
def test_front_page_is_not_n_plus_1(exercise, engine, sql_sent):
    """front_page sends at most 2 SQL statements, for 5 posts as for 50, with a LIMIT"""
    given_blog(engine, 50)
    for limit in (5, 50):
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
