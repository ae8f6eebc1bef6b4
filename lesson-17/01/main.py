#!/usr/bin/env python3
"""SQLite with the standard library: connect, create, insert, commit, query, close.

Run:   cd lesson-17/01 && python3 main.py
Needs: nothing but Python (sqlite3 is built in).
Set KEEP_DB=1 to keep tutorial.db afterwards and look inside it:
    sqlite3 tutorial.db 'SELECT * FROM user'
"""

import os
import sqlite3
from pathlib import Path

WORKDIR = Path(__file__).parent
DB_FILE = WORKDIR / "tutorial.db"
KEEP_DB = os.getenv("KEEP_DB") == "1"


def main():
    # Start from a fresh file, whatever an earlier (kept or crashed) run left.
    DB_FILE.unlink(missing_ok=True)

    # [start:sqlite]
    # Create a new database connection
    con = sqlite3.connect(DB_FILE)
    cur = con.cursor()
    cur.execute("CREATE TABLE user(id INTEGER PRIMARY KEY, name TEXT, age INTEGER)")
    cur.execute("INSERT INTO user (name, age) VALUES (?, ?)", ("Alice", 30))
    cur.execute("INSERT INTO user (name, age) VALUES (?, ?)", ("Bob", 25))
    cur.execute("INSERT INTO user (name, age) VALUES (?, ?)", ("Charlie", 35))
    con.commit()  # Save (commit) the changes

    # Query the database
    cur.execute("SELECT name, age FROM user WHERE age >= 30")
    rows = cur.fetchall()
    for row in rows:
        print(f"Name: {row[0]}, Age: {row[1]}")

    # Close the connection
    con.close()
    # [end:sqlite]

    # Clean up the database file after execution
    if not KEEP_DB:
        DB_FILE.unlink()


if __name__ == "__main__":
    main()
