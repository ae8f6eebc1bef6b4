"""03: the 02 ORM code on a real MySQL-protocol server, read back with raw PyMySQL."""

from conftest import CLOSED_PORT, ORM_OUTPUT, assert_one_line_error, run_ok, run_script


def test_prints_users_with_addresses_twice_the_same(mysql_conn):
    first = run_ok("03", "main.py")
    second = run_ok("03", "main.py")
    assert first.lines == ORM_OUTPUT
    assert second.stdout == first.stdout

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


def test_mysql_columns_have_the_lengths_of_the_model(mysql_conn, mysql_settings):
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
