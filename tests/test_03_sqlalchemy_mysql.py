"""03: the 02 ORM code on a real MySQL-protocol server, read back with raw PyMySQL."""

import os
import re
import subprocess

import pytest

from utils.paths import ROOT
from utils.scripts import ORM_OUTPUT, assert_one_line_error, run_ok, run_script, run_twice
from utils.settings import CLOSED_PORT, SETTINGS


def test_prints_users_with_addresses_twice_the_same(mysql_conn, mysql_settings):
    assert run_twice("03", "main.py").lines == ORM_OUTPUT

    with mysql_conn.cursor() as cur:
        cur.execute(
            "SELECT u.id, u.name, u.age, a.email_address FROM user u"
            " JOIN address a ON a.user_id = u.id ORDER BY u.id"
        )
        rows = cur.fetchall()
        cur.execute("SELECT COUNT(*) FROM address")
        addresses = cur.fetchone()[0]
    # Two runs leave three users, not six: the script resets the tables it owns.
    assert rows == (
        (1, "alice", 30, "alice@example.com"),
        (2, "bob", 25, "bob@example.com"),
        (3, "charlie", 35, "charlie@example.com"),
    )
    assert addresses == 3

    # The columns have the lengths of the model.
    with mysql_conn.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name, column_type FROM information_schema.columns"
            " WHERE table_schema = %s AND column_type LIKE 'varchar%%'"
            " ORDER BY table_name, column_name",
            (mysql_settings["database"],),
        )
        columns = cur.fetchall()
    assert ("address", "email_address", "varchar(50)") in columns
    assert ("user", "name", "varchar(30)") in columns


def test_unreachable_server_is_one_actionable_line():
    result = run_script("03", "main.py", env={"MYSQL_PORT": CLOSED_PORT})
    assert_one_line_error(result, f":{CLOSED_PORT}", "make services")


def test_wrong_password_names_the_settings_to_check():
    result = run_script("03", "main.py", env={"MYSQL_PASSWORD": "not-the-password"})
    assert_one_line_error(result, "MYSQL_PASSWORD")


def server_connections(mysql_conn):
    """How many connections the server has accepted since it started."""
    with mysql_conn.cursor() as cur:
        cur.execute("SHOW GLOBAL STATUS LIKE 'Connections'")
        return int(cur.fetchone()[1])


@pytest.mark.alone  # counts the server's connections
def test_pool_shares_five_connections_and_survives_a_dropped_one(mysql_conn):
    before = server_connections(mysql_conn)
    first = run_twice("03", "advanced_pool.py")
    opened = server_connections(mysql_conn) - before
    assert first.lines == [
        "Pool of 5, no overflow, pre-ping on",
        "Held 5 connections at once: 5 server connections",
        "20 queries from 10 threads: 0 connections opened beyond those 5",
        "The server killed one of them; the pool still holds it: no, pre-ping replaced it",
        "Connections that work after that: 5",
    ]
    # Without a pool, the 5 + 20 + 5 checkouts and the admin connection would each
    # connect: 31 a run. With it: the 5 pooled, the admin one, and at most 5 renewed ones
    # (11), plus whatever else connects meanwhile, such as a compose healthcheck. Two runs.
    assert 2 * 7 <= opened <= 2 * 15, opened


def test_advanced_queries_agree_with_plain_sql(mysql_conn):
    first = run_twice("03", "advanced_queries.py")
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT name FROM user WHERE age BETWEEN 18 AND 65 ORDER BY id")
        adults = ", ".join(row[0] for row in cur.fetchall())
        cur.execute("SELECT AVG(age) FROM user")
        avg_age = float(cur.fetchone()[0])
        cur.execute(
            "SELECT DISTINCT u.name, u.id FROM user u JOIN address a ON a.user_id = u.id"
            " WHERE a.email_address LIKE '%%@gmail.com' ORDER BY u.id"
        )
        gmail = ", ".join(row[0] for row in cur.fetchall())
        cur.execute("SELECT COUNT(*) FROM user")
        users = cur.fetchone()[0]
    assert first.lines == [
        f"Aged 18 to 65: {adults}",
        "Younger than 18 or older than 65: bob, diana",
        f"Average age: {avg_age:.1f}",
        f"With a gmail address: {gmail}",
        # N+1: one query for the users, then one per user for its addresses.
        f"Lazy loading: {users} users, 6 addresses, SQL statements: {1 + users}",
        f"joinedload: {users} users, 6 addresses, SQL statements: 1",
    ]


def test_migrations_upgrade_check_and_downgrade(mysql_conn, mysql_settings):
    first = run_twice("03", "advanced_migrate.py")
    scratch = f"{mysql_settings['database']}_migrations"
    assert first.lines == [
        f"New database {scratch}: revision None, tables: (none)",
        "After upgrade 0001: revision 0001, tables: address, alembic_version, user",
        "Autogenerate would add:",
        "  add_index idx_user_age",
        "  add_index idx_user_created_at",
        "  add_table users",
        "After upgrade head: revision 0003, tables: address, alembic_version, user, users",
        "No new upgrade operations detected.",
        "After downgrade -1: revision 0002, tables: address, alembic_version, user, users",
        "After downgrade base: revision None, tables: alembic_version",
        "After upgrade head: revision 0003, tables: address, alembic_version, user, users",
    ]
    with mysql_conn.cursor() as cur:
        cur.execute(f"SELECT version_num FROM `{scratch}`.alembic_version")
        assert cur.fetchall() == (("0003",),)
        cur.execute(
            "SELECT column_name, data_type, character_maximum_length, is_nullable"
            " FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'address' ORDER BY ordinal_position",
            (scratch,),
        )
        assert cur.fetchall() == (
            ("id", "int", None, "NO"),
            ("email_address", "varchar", 50, "NO"),
            ("user_id", "int", None, "NO"),
        )


def test_advanced_scripts_fail_in_one_line_without_a_server():
    env = {"MYSQL_PORT": CLOSED_PORT}
    assert_one_line_error(run_script("03", "advanced_pool.py", env=env), "make services")
    assert_one_line_error(run_script("03", "advanced_queries.py", env=env), "make services")
    assert_one_line_error(run_script("03", "advanced_migrate.py", env=env), "make services")


@pytest.mark.parametrize("script", ["main.py", "advanced_queries.py", "pitfall_schema.py"])
def test_a_database_that_is_not_the_lessons_is_left_untouched(script, mysql_admin):
    """The scripts drop and recreate their tables: in somebody's database (other tables,
    no mark) they stop with one line before any change; an empty one they mark and use."""
    # Named after MYSQL_DATABASE, so that the lesson's user may use them (as on a managed
    # MySQL whose administrator granted a database that holds somebody's tables).
    base = SETTINGS["MYSQL_DATABASE"]
    foreign, empty = f"{base}_test_foreign", f"{base}_test_empty"
    with mysql_admin.cursor() as cur:
        for name in (foreign, empty):
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}`")
        cur.execute(f"CREATE TABLE `{foreign}`.customers (id INT PRIMARY KEY, name TEXT)")
        cur.execute(f"CREATE TABLE `{foreign}`.user (id INT PRIMARY KEY, name TEXT)")
        cur.execute(f"INSERT INTO `{foreign}`.user VALUES (7, 'a real customer')")
    try:
        refused = run_script("03", script, env={"MYSQL_DATABASE": foreign})
        assert_one_line_error(refused, f"database '{foreign}' is not the lesson's", "customers")
        used = run_ok("03", script, env={"MYSQL_DATABASE": empty})
        with mysql_admin.cursor() as cur:
            cur.execute(f"SELECT id, name FROM `{foreign}`.user")
            assert cur.fetchall() == ((7, "a real customer"),)
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (foreign,),
            )
            assert sorted(row[0] for row in cur.fetchall()) == ["customers", "user"]
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (empty,),
            )
            assert "lesson17_marker" in {row[0] for row in cur.fetchall()}, used.stdout
    finally:
        with mysql_admin.cursor() as cur:
            for name in (foreign, empty):
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def test_migrate_drops_its_database_only_when_it_holds_migrate_tables_alone(mysql_admin):
    """advanced_migrate.py recreates <db>_migrations; one holding somebody's table is left alone."""
    scratch = f"{SETTINGS['MYSQL_DATABASE']}_migrations"
    with mysql_admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{scratch}`")
        cur.execute(f"CREATE DATABASE `{scratch}`")
        cur.execute(f"CREATE TABLE `{scratch}`.invoices (id INT PRIMARY KEY)")
        cur.execute(f"INSERT INTO `{scratch}`.invoices VALUES (1)")
    try:
        refused = run_script("03", "advanced_migrate.py")
        assert_one_line_error(refused, f"database '{scratch}' holds tables", "invoices")
        with mysql_admin.cursor() as cur:
            cur.execute(f"SELECT id FROM `{scratch}`.invoices")
            assert cur.fetchall() == ((1,),)
    finally:
        with mysql_admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{scratch}`")
    assert run_script("03", "advanced_migrate.py").returncode == 0  # its own database, made afresh


@pytest.mark.alone  # changes the lesson user's password on the server, then puts it back
def test_a_new_password_in_dot_env_is_applied_by_the_command_the_line_gives(mysql_conn):
    """A password changed in .env is refused by the server until `make services` gives it
    to the lesson's user: no data has to go (the advice used to say `down -v`)."""
    env_file = ROOT / ".env"
    text = env_file.read_text()
    env_file.write_text(re.sub(r"(?m)^MYSQL_PASSWORD=.*$", "MYSQL_PASSWORD=a-new-one", text))
    as_a_student = {k: v for k, v in os.environ.items() if k != "MYSQL_PASSWORD"}
    try:
        line = assert_one_line_error(
            run_script("03", "main.py", base_env=as_a_student), "refused the login"
        )
        assert line.endswith(
            "Check MYSQL_USER in .env and MYSQL_PASSWORD in .env: `make services` (from the "
            "repository root) gives the lesson's user the password in .env"
        ), line
        assert "down -v" not in line
        assert services().returncode == 0
        assert run_script("03", "main.py", base_env=as_a_student).lines == ORM_OUTPUT
    finally:  # the old password back, on the server too, for the other tests
        env_file.write_text(text)
        back = services()
        assert back.returncode == 0, back.stdout + back.stderr


def services():
    return subprocess.run(
        ["make", "--no-print-directory", "services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
