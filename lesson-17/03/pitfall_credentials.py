#!/usr/bin/env python3
"""Pitfall: hard-coded credentials. A URL string with the password leaks wherever it goes.

Run:   cd lesson-17/03 && python3 pitfall_credentials.py
Needs: MySQL (`make services` from the repository root).
"""

import logging

from sqlalchemy import create_engine, text

from settings import database_url, one_line_errors


class Captured(logging.Handler):
    """Keeps what the program logs, as a log file or a log service would."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def main():
    log = logging.getLogger("app")
    log.propagate = False
    captured = Captured()
    log.addHandler(captured)
    log.setLevel(logging.INFO)

    url = database_url()  # settings.py: URL.create() from the environment or .env
    with one_line_errors(url):  # settings.py: a failure becomes one line
        with create_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    password = url.password
    # Avoid: the password in the code, then in a string that ends up in the logs.
    hard_coded = f"mysql+pymysql://{url.username}:{password}@{url.host}:{url.port}/{url.database}"
    log.info("connecting to %s", hard_coded)
    print(
        f"Pitfall: a connection string built as text puts the password in the log: "
        f"{password in captured.lines[-1]}"
    )

    # Good: the URL object masks it when printed, logged or shown in an error.
    log.info("connecting to %s", url)
    print(f"Fix: URL.create() from .env is logged as {captured.lines[-1].split()[-1]}")
    print(
        f"Fix: the password is in the log: {password in captured.lines[-1]}, "
        f"and never in this file's code: {password not in open(__file__).read()}"
    )


if __name__ == "__main__":
    main()
