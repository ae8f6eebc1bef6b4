"""The lesson's five best practices, run on the real servers and read back independently.

The scripts' full output is checked against lesson-17/README.md (utils.scripts.run_twice);
these tests check what the README cannot show: the database state afterwards.
"""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pymysql
import pytest

from utils.paths import LESSON
from utils.scripts import ORM_OUTPUT, assert_one_line_error, run_ok, run_script, run_twice
from utils.settings import SETTINGS

ALEMBIC = Path(sys.executable).with_name("alembic")
APPENDIX = (LESSON / "appendix.md").read_text()  # the MySQL/MariaDB table lives there


def users_emails(mysql_conn):
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT email FROM users ORDER BY id")
        return [row[0] for row in cur.fetchall()]


def test_connections_context_manager_returns_what_a_manual_session_keeps(mysql_conn):
    lines = run_twice("03", "best_connections.py").lines
    assert lines[0].endswith("checked out after the block: 0")
    assert lines[1].endswith("checked out: 0")  # `with`, even when an exception escapes
    assert lines[2].startswith("Manual session") and lines[2].endswith("checked out: 1")
    assert lines[3].endswith("checked out: 0")
    assert lines[4] == (
        "sessionmaker(engine).begin(): dave committed, erin rolled back; checked out: 0"
    )
    # the failed ones rolled back, dave's block committed by itself
    assert users_emails(mysql_conn) == ["alice@example.com", "dave@example.com"]


def test_error_handling_rolls_back_the_whole_unit_of_work(mysql_conn):
    lines = run_twice("03", "best_error_handling.py").lines
    assert lines[0] == "Data integrity error: MySQL error 1062, a duplicate email"
    emails = users_emails(mysql_conn)
    # carol@example.com shared a unit of work with the duplicate: no partial rows.
    assert "carol@example.com" not in emails
    assert emails == [
        "alice@example.com",
        "dave@example.com",
        "erin@example.com",
        "frank@example.com",
    ]
    assert lines[1] == "After the failed unit of work: alice@example.com (no carol either)"
    assert "DetachedInstanceError" in lines[2]

    # The duplicate-key message the appendix's MySQL/MariaDB table quotes, read from the
    # server with the table the script made from the lesson's schema (03/schema.py).
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        column = 2 if "MariaDB" in cur.fetchone()[0] else 1
        with pytest.raises(pymysql.err.IntegrityError) as duplicate:
            cur.execute("INSERT INTO users (email) VALUES ('alice@example.com')")
    code, message = duplicate.value.args
    row = next(r for r in APPENDIX.splitlines() if r.startswith("| duplicate key message |"))
    quoted = row.split(" | ")[column].strip("`").removeprefix("... ")
    assert code == 1062 and message.endswith(quoted), (message, quoted)


def test_query_optimisation_counts_statements_per_strategy(mysql_conn):
    lines = run_twice("03", "best_query_optimisation.py").lines
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM user")
        users = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM address")
        addresses = cur.fetchone()[0]
    names = "alice, bob, charlie, diana, eve"  # sample_users.py, in id order, both ways
    assert lines[:2] == [
        f"session.query(User):          {names}",
        f"session.scalars(select(User)): {names}",
    ]
    assert lines[2:5] == [
        f"Lazy loading (N+1): {addresses} addresses, SQL statements: {1 + users}",
        f"joinedload: {addresses} addresses, SQL statements: 1",
        f"selectinload: {addresses} addresses, SQL statements: 2",
    ]
    assert lines[5] == "raiseload: reading user.addresses raised InvalidRequestError"


def test_configuration_from_database_url_moves_02_to_mysql(mysql_conn, mysql_settings):
    """Best practice 4: the same 02 script, pointed at MySQL by DATABASE_URL alone."""
    s = mysql_settings
    url = f"mysql+pymysql://{s['user']}:{s['password']}@{s['host']}:{s['port']}/{s['database']}"
    result = run_ok("02", "main.py", env={"DATABASE_URL": url})
    assert result.lines == ORM_OUTPUT
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT name FROM user ORDER BY id")
        assert [row[0] for row in cur.fetchall()] == ["alice", "bob", "charlie"]


def test_02_on_mysql_leaves_a_database_with_somebodys_tables_alone(mysql_admin, mysql_settings):
    """The README points 02 at MySQL. In a database holding somebody's `user` and no
    lesson mark, main.py must stop before its drop_all(), as 03's scripts do."""
    s = mysql_settings
    foreign = f"{SETTINGS['MYSQL_DATABASE']}_test_foreign02"  # the lesson's user may use it
    with mysql_admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{foreign}`")
        cur.execute(f"CREATE DATABASE `{foreign}`")
        cur.execute(f"CREATE TABLE `{foreign}`.user (id INT PRIMARY KEY, name TEXT)")
        cur.execute(f"INSERT INTO `{foreign}`.user VALUES (7, 'a real customer')")
    url = f"mysql+pymysql://{s['user']}:{s['password']}@{s['host']}:{s['port']}/{foreign}"
    try:
        refused = run_script("02", "main.py", env={"DATABASE_URL": url})
        assert_one_line_error(refused, f"database '{foreign}'", "is not the lesson's", "(user)")
        with mysql_admin.cursor() as cur:
            cur.execute(f"SELECT id, name FROM `{foreign}`.user")
            assert cur.fetchall() == ((7, "a real customer"),)
            cur.execute(f"SHOW TABLES FROM `{foreign}`")
            assert cur.fetchall() == (("user",),)
    finally:
        with mysql_admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{foreign}`")


def test_schema_design_indexes_and_unique_constraint_in_the_mysql_catalogue(
    mysql_conn, mysql_settings
):
    run_ok("03", "advanced_migrate.py")  # upgrades <db>_migrations to head: revision 0003
    scratch = f"{mysql_settings['database']}_migrations"
    with mysql_conn.cursor() as cur:
        cur.execute(
            "SELECT index_name, column_name, non_unique FROM information_schema.statistics"
            " WHERE table_schema = %s AND table_name = 'users' ORDER BY index_name",
            (scratch,),
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT column_default, is_nullable FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'users' AND column_name = 'created_at'",
            (scratch,),
        )
        default, nullable = cur.fetchone()
    assert sorted(indexes) == [
        ("PRIMARY", "id", 0),
        ("idx_user_age", "age", 1),
        ("idx_user_created_at", "created_at", 1),
        ("uq_users_email", "email", 0),  # named by the naming convention
    ]
    assert default.lower().startswith("current_timestamp") and nullable == "NO"


def alembic(*args, cwd=LESSON / "03"):
    proc = subprocess.run([ALEMBIC, *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_the_same_revisions_upgrade_and_downgrade_on_sqlite(tmp_path):
    """render_as_batch: the MySQL revisions run on SQLite too (`alembic -x url=...`)."""
    database = tmp_path / "migrations.db"
    url = f"url=sqlite:///{database}"
    alembic("-x", url, "upgrade", "head")
    con = sqlite3.connect(database)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
    sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    assert "CONSTRAINT uq_users_email UNIQUE (email)" in sql
    assert "DEFAULT CURRENT_TIMESTAMP" in sql
    con.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    assert con.execute("SELECT created_at FROM users").fetchone()[0]  # the server filled it in
    indexes = con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'"
        " AND name LIKE 'idx_%' ORDER BY name"
    ).fetchall()
    con.close()
    assert indexes == [("idx_user_age",), ("idx_user_created_at",)]  # 0003 dropped the copy

    alembic("-x", url, "downgrade", "base")
    con = sqlite3.connect(database)
    tables = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    con.close()
    assert tables == [("alembic_version",)]
