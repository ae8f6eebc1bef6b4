"""02: SQLAlchemy 2.x ORM on SQLite."""

import sqlite3

from utils.scripts import ORM_OUTPUT, run_ok, run_twice


def test_in_memory_run_prints_users_with_addresses_twice_the_same():
    assert run_twice("02", "main.py").lines == ORM_OUTPUT


def test_file_database_holds_users_and_addresses(tmp_path):
    db = tmp_path / "02.db"
    env = {"DATABASE_URL": f"sqlite+pysqlite:///{db}"}
    first = run_ok("02", "main.py", env)
    second = run_ok("02", "main.py", env)  # the script resets the tables it owns
    assert first.lines == second.lines == ORM_OUTPUT

    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT u.id, u.name, u.age, a.email_address FROM user u"
        " JOIN address a ON a.user_id = u.id ORDER BY u.id"
    ).fetchall()
    con.close()
    assert rows == [
        (1, "alice", 30, "alice@example.com"),
        (2, "bob", 25, "bob@example.com"),
        (3, "charlie", 35, "charlie@example.com"),
    ]
