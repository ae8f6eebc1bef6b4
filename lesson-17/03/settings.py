"""MySQL settings of section 03, from the environment or .env, never written into code.

Imported by the scripts of this folder; reading it contacts no server.
"""

import os
import sys

from dotenv import load_dotenv
from sqlalchemy import URL

START = "Start it with `make services` (or `docker compose up -d` in lesson-17/03)."
CHECK = "Check MYSQL_USER and MYSQL_PASSWORD in .env."


def database_url(database=None):
    """The SQLAlchemy URL of the configured server; `database` overrides MYSQL_DATABASE."""
    load_dotenv()
    return URL.create(
        "mysql+pymysql",
        username=os.getenv("MYSQL_USER", "root"),
        password=os.getenv("MYSQL_PASSWORD", "password123"),
        host=os.getenv("MYSQL_HOST", "127.0.0.1"),
        port=int(os.getenv("MYSQL_PORT", "3306")),
        database=database or os.getenv("MYSQL_DATABASE", "demo"),
    )


def exit_unreachable(url, exc):
    """Turn a connection failure (sqlalchemy OperationalError) into one line and exit 1."""
    code, reason = (exc.orig.args + ("", ""))[:2]
    where = f"MySQL at {url.host}:{url.port}"
    if code == 1045:  # access denied
        sys.exit(f"error: {where} refused the login: {reason}. {CHECK}")
    sys.exit(f"error: cannot reach {where} ({reason}). {START}")
