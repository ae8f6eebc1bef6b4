#!/usr/bin/env python3
"""Pitfall: SQL built with an f-string. A crafted name becomes part of the SQL.

Run:   cd lesson-17/01 && python3 pitfall_sql_injection.py
Needs: nothing but Python.

Everything happens in throw-away databases this script creates: the unsafe versions
can harm nothing else. KEEP_DB=1 keeps injection.db, the safe one, to look inside.
"""

import os
import sqlite3
from pathlib import Path

DB_FILE = Path(__file__).parent / "injection.db"
USERS = [("Alice", 30), ("Bob", 25), ("Charlie", 35)]
BYPASS = "x' OR '1'='1"  # closes the string, then adds a condition that is always true
DROP = "Robert'); DROP TABLE user;--"  # "Little Bobby Tables": a second statement


def new_database(target):
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE user(id INTEGER PRIMARY KEY, name TEXT, age INTEGER)")
    con.executemany("INSERT INTO user (name, age) VALUES (?, ?)", USERS)
    con.commit()
    return con


def tables(con):
    return [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]


def main():
    # Avoid: the value is pasted into the SQL text, so its quote ends the string and the
    # rest is SQL. With execute(), the lesson's usual call, one statement is enough: the
    # WHERE becomes `name = 'x' OR '1'='1'`, true for every row (a login bypass).
    con = new_database(":memory:")
    # [start:pitfall]
    found = con.execute(f"SELECT name FROM user WHERE name = '{BYPASS}'").fetchall()
    # [end:pitfall]
    names = ", ".join(name for (name,) in found)
    print(f"Pitfall: f-string SQL, name {BYPASS!r}: matched {names}")

    # execute() refuses a second statement; executescript() (migrations, "run this .sql")
    # runs it: the name ends the INSERT and DROP TABLE runs next.
    try:
        con.execute(f"INSERT INTO user (name) VALUES ('{DROP}')")
    except sqlite3.ProgrammingError as exc:
        refused = str(exc)
    con.executescript(f"INSERT INTO user (name) VALUES ('{DROP}')")
    print(f"Pitfall: execute() refused the name {DROP!r}:")
    print(f"         {refused}")
    print(f"         executescript() ran it: tables left: {tables(con) or 'none'}")
    con.close()

    # Good: a ? placeholder sends the value apart from the SQL; it is only ever data.
    DB_FILE.unlink(missing_ok=True)
    con = new_database(DB_FILE)
    # [start:fix]
    found = con.execute("SELECT name FROM user WHERE name = ?", (BYPASS,)).fetchall()
    con.execute("INSERT INTO user (name) VALUES (?)", (DROP,))
    # [end:fix]
    con.commit()
    stored = con.execute("SELECT name FROM user WHERE age IS NULL").fetchone()[0]
    print(f"Fix: ? parameters: {BYPASS!r} matched {len(found)} users;")
    print(f"     {stored!r} was stored as a name; tables left: {', '.join(tables(con))}")
    con.close()
    if os.getenv("KEEP_DB") != "1":
        DB_FILE.unlink()


if __name__ == "__main__":
    main()
