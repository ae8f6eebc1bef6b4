"""Exercise 2 tests, on MySQL."""

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


def test_publish_and_comment(exercise, engine):
    """publish and comment save posts and comments, creating authors once"""
    with Session(engine) as session:
        post = exercise.publish(session, "ann", "Hello", "First post", DAY)
        exercise.comment(session, post.id, "bob", "Welcome!")
        exercise.comment(session, post.id, "ann", "Thanks")
    with engine.connect() as conn:
        authors = conn.execute(text("SELECT name FROM blog_author ORDER BY name")).scalars().all()
        comments = conn.execute(text("SELECT COUNT(*) FROM blog_comment")).scalar()
    assert authors == ["ann", "bob"], "each author should be saved once"
    assert comments == 2


def test_front_page_lists_newest_posts_with_author_and_comment_count(exercise, engine):
    """front_page lists the newest posts with author and comment count"""
    with Session(engine) as session:
        for n in range(15):
            post = exercise.publish(
                session, f"author{n % 3}", f"Post {n}", "...", DAY + timedelta(hours=n)
            )
            for k in range(n % 4):
                exercise.comment(session, post.id, "reader", f"comment {k}")
        page = exercise.front_page(session, limit=5)
    assert page == [(f"Post {n}", f"author{n % 3}", n % 4) for n in (14, 13, 12, 11, 10)]


def test_front_page_is_not_n_plus_1(exercise, engine, count_statements):
    """front_page needs at most 2 SQL statements, for 5 posts as for 50"""
    with Session(engine) as session:
        for n in range(50):
            post = exercise.publish(
                session, f"author{n}", f"Post {n}", "...", DAY + timedelta(minutes=n)
            )
            exercise.comment(session, post.id, "reader", "nice")
    for limit in (5, 50):
        with Session(engine) as session:
            sent = count_statements(engine)
            page = exercise.front_page(session, limit=limit)
            assert len(page) == limit
            assert len(sent) <= 2, f"front_page(limit={limit}) sent {len(sent)} statements"
