#!/usr/bin/env python3
"""Pitfall: hard-coded credentials. A URL string with the password leaks wherever it goes.

Run:   cd lesson-17/03 && python3 pitfall_credentials.py
Needs: MySQL (`make services` from the repository root).
"""

import logging
from pathlib import Path

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

    url = database_url()  # built with URL.create(), as main.py shows
    with one_line_errors(url):
        with create_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    # Avoid: a password written in the code, pasted into a string that reaches the logs.
    # (A stand-in here: this script never prints a real password.)
    # [start:pitfall]
    in_code = "s3cret-in-the-code"
    hard_coded = f"mysql+pymysql://{url.username}:{in_code}@{url.host}:{url.port}/{url.database}"
    log.info("connecting to %s", hard_coded)
    # [end:pitfall]
    print("Pitfall: a URL built as text, with the password written in the code, logs")
    print(f"  {captured.lines[-1]}")

    # Good: the URL object masks it when printed, logged or shown in an error.
    # [start:fix]
    log.info("connecting to %s", url)
    # [end:fix]
    print("Fix: a URL from URL.create(), with the password from .env, logs")
    print(f"  {captured.lines[-1]}")
    password, code = url.password, Path(__file__).read_text()
    log_text = "\n".join(captured.lines)
    print(
        f"Fix: .env's password appears {log_text.count(password)} times in the log, "
        f"{code.count(password)} in this file"
    )


if __name__ == "__main__":
    main()
