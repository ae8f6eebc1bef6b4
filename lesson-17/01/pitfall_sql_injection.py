#!/usr/bin/env python3
"""Pitfall: SQL built with an f-string. A crafted name becomes SQL and drops the table.

Run:   cd lesson-17/01 && python3 pitfall_sql_injection.py
Needs: nothing but Python.

Everything happens in throw-away databases this script creates: the unsafe version
can harm nothing else. KEEP_DB=1 keeps injection.db, the safe one, to look inside.
"""

import os
import sqlite3
from pathlib import Path

DB_FILE = Path(__file__).parent / "injection.db"
NAME = "Robert'); DROP TABLE user;--"  # "Little Bobby Tables"


def new_database(target):
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE user(id INTEGER PRIMARY KEY, name TEXT, age INTEGER)")
    con.execute("INSERT INTO user (name, age) VALUES (?, ?)", ("Alice", 30))
    con.commit()
    return con


def tables(con):
    return [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]


def main():
    # Avoid: the value is pasted into the SQL text, so its quote ends the string and
    # the rest runs as SQL. (executescript runs several statements, as a migration
    # helper or a "run this .sql" tool does.)
    con = new_database(":memory:")
    con.executescript(f"INSERT INTO user (name) VALUES ('{NAME}')")
    print(f"Pitfall: f-string SQL with the name {NAME!r}: tables left: {tables(con) or 'none'}")
    con.close()

    # Good: a ? placeholder sends the value separately; it is only ever data.
    DB_FILE.unlink(missing_ok=True)
    con = new_database(DB_FILE)
    con.execute("INSERT INTO user (name) VALUES (?)", (NAME,))
    con.commit()
    stored = con.execute("SELECT name FROM user WHERE age IS NULL").fetchone()[0]
    print(f"Fix: a ? parameter: tables left: {', '.join(tables(con))}; stored name: {stored!r}")
    con.close()
    if os.getenv("KEEP_DB") != "1":
        DB_FILE.unlink()


if __name__ == "__main__":
    main()
