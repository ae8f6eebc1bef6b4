"""02: SQLAlchemy 2.x ORM on SQLite."""

import sqlite3

from utils.scripts import ORM_OUTPUT, assert_one_line_error, run_ok, run_script, run_twice


def test_in_memory_run_prints_users_with_addresses_twice_the_same():
    assert run_twice("02", "main.py").lines == ORM_OUTPUT


def test_file_database_holds_users_and_addresses(tmp_path):
    db = tmp_path / "02.db"
    env = {"DATABASE_URL": f"sqlite+pysqlite:///{db}"}
    first = run_ok("02", "main.py", env)
    second = run_ok("02", "main.py", env)  # the script resets the tables it owns
    assert first.lines == second.lines == ORM_OUTPUT

    con = sqlite3.connect(db)
    # The first run found the file empty and marked it as the lesson's; the second used it.
    marked = con.execute("SELECT name FROM sqlite_master WHERE name = 'lesson17_marker'")
    assert marked.fetchall() == [("lesson17_marker",)]
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


def test_a_database_holding_somebodys_tables_is_left_alone(tmp_path):
    """main.py drops and recreates user and address: in a database holding tables and no
    lesson mark (here somebody's own `user`), it stops with one line before any change."""
    db = tmp_path / "theirs.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO user VALUES (7, 'a real customer')")
    con.commit()
    con.close()
    result = run_script("02", "main.py", env={"DATABASE_URL": f"sqlite+pysqlite:///{db}"})
    assert_one_line_error(result, "is not the lesson's", "(user)", "DATABASE_URL")
    con = sqlite3.connect(db)
    tables = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    rows = con.execute("SELECT id, name FROM user").fetchall()
    con.close()
    assert (tables, rows) == ([("user",)], [(7, "a real customer")])
