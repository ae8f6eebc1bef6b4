"""01: sqlite3 from the standard library."""

import sqlite3

from utils.scripts import run_ok, run_twice, section_folder

EXPECTED = ["Name: Alice, Age: 30", "Name: Charlie, Age: 35"]
DB_FILE = section_folder("01") / "tutorial.db"  # this test process's own copy


def test_prints_users_aged_30_or_more_and_removes_its_file():
    assert run_twice("01", "main.py").lines == EXPECTED
    assert not DB_FILE.exists(), "main.py should delete tutorial.db at the end, as the lesson does"


def test_kept_database_holds_the_three_rows():
    try:
        result = run_ok("01", "main.py", env={"KEEP_DB": "1"})
        con = sqlite3.connect(DB_FILE)
        rows = con.execute("SELECT id, name, age FROM user ORDER BY id").fetchall()
        over_30 = con.execute("SELECT name, age FROM user WHERE age >= 30").fetchall()
        con.close()
        assert rows == [(1, "Alice", 30), (2, "Bob", 25), (3, "Charlie", 35)]
        # What the script printed is what the database answers to the same query.
        assert result.lines == [f"Name: {name}, Age: {age}" for name, age in over_30]
        # A kept file does not break the next run: the script starts afresh.
        assert run_ok("01", "main.py").lines == EXPECTED
        assert not DB_FILE.exists()
    finally:
        DB_FILE.unlink(missing_ok=True)
