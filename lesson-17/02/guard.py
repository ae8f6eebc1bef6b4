"""main.py drops and recreates its tables: this keeps it to a database that is the lesson's.

Imported by main.py; importing it contacts no database.
"""

import sys

from sqlalchemy import Column, MetaData, String, Table, inspect

# The mark 03's scripts and `make services` leave in the lesson's own MySQL database.
MARKER = "lesson17_marker"


def only_the_lessons_database(engine):
    """Go on in an empty database (marked now) or one marked as the lesson's. Any other
    holds somebody's tables, maybe ones named user and address: stop, touching nothing."""
    tables = sorted(inspect(engine).get_table_names())
    if not tables:
        Table(MARKER, MetaData(), Column("note", String(200))).create(engine)
    elif MARKER not in tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        sys.exit(
            f"error: database {engine.url.database!r} of DATABASE_URL is not the lesson's: "
            f"it holds other tables ({shown}), and main.py drops and recreates user and "
            "address. Nothing was touched. Point DATABASE_URL at a new, empty database"
        )
