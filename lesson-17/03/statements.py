"""Counting the SQL statements an engine sends, as the lesson's scripts show them.

Importing touches no database.
"""

from sqlalchemy import event


def count_statements(engine):
    """A list that grows by one for every SQL statement the engine sends."""
    sent = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent
