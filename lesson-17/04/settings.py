"""DynamoDB settings of section 04, from the environment or .env, and one-line errors.

Imported by model.py and the scripts; reading it contacts no server.
"""

import os
import platform
import re
import runpy
import sys
from pathlib import Path
from urllib.parse import urlsplit

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
)
from dotenv import dotenv_values, find_dotenv, load_dotenv

EXPORTED = frozenset(os.environ)  # names exported before .env is read: they win over .env
load_dotenv()  # reads .env into os.environ; contacts nothing


def task(name):
    """A command of the repository root as this OS types it: `make NAME`, or in Windows'
    PowerShell, which has no make, `py tasks.py NAME`."""
    return f"py tasks.py {name}" if platform.system() == "Windows" else f"make {name}"


HOW_TO_START = f"Start it with `{task('services')}` (from the repository root)."
# Is a server on this machine this checkout's own? Asked before a password, key or token is
# sent, by one check for every section: the checkout's tools/listener_check.py (standard
# library only). A section copied out of the checkout has none, and no servers of its own.
CHECK = Path(__file__).resolve().parents[2] / "tools" / "listener_check.py"
OWN_SERVER = runpy.run_path(str(CHECK)) if CHECK.is_file() else {"refusal": lambda *at: None}

REGION = os.getenv("AWS_DEFAULT_REGION") or "us-west-1"
# The endpoint of DynamoDB Local; empty means real AWS (then use real credentials).
HOST = os.getenv("DYNAMODB_HOST", "http://127.0.0.1:8000") or None
KEY_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
if HOST:  # DynamoDB Local: the key pair in .env (make install writes one per machine);
    # it checks only the form, letters and digits, and the key alone opens the tables
    KEY = os.getenv("AWS_ACCESS_KEY_ID")
    SECRET = os.getenv("AWS_SECRET_ACCESS_KEY")
else:  # real AWS: the SDK's own search (exported keys, `aws configure`, SSO, a role)
    KEY = SECRET = None
    for name in KEY_NAMES:  # .env's pair is DynamoDB Local's: it must not reach AWS
        if name not in EXPORTED:
            os.environ.pop(name, None)


def connection():
    """A PynamoDB Connection to where the models live: what a transaction is sent over."""
    from pynamodb.connection import Connection

    return Connection(region=REGION, host=HOST, aws_access_key_id=KEY, aws_secret_access_key=SECRET)


def where(name):
    """Where a setting came from, for error messages."""
    if name in EXPORTED:
        return f"{name} (exported in your shell, which overrides .env)"
    return f"{name} in .env" if name in dotenv_values(find_dotenv()) else f"{name} (default)"


def check():
    """Exit with one line if a setting cannot work, before anything is sent."""
    if HOST and not re.fullmatch(r"https?://[^/:\s]+(:\d+)?/?", HOST):
        sys.exit(f"error: {where('DYNAMODB_HOST')} must look like http://host:port, not {HOST!r}")
    if HOST:
        for name, value in (("AWS_ACCESS_KEY_ID", KEY), ("AWS_SECRET_ACCESS_KEY", SECRET)):
            if not value:  # no public fallback: anyone would know it
                sys.exit(f"error: {name} is not set: `make install` writes a random pair into .env")
            if not value.isalnum():
                sys.exit(
                    f"error: {where(name)} is {value!r}: DynamoDB Local accepts letters and "
                    "digits only (`make install` writes such a pair into .env)"
                )
        endpoint = urlsplit(HOST)  # the key alone opens the tables: never to another's program
        problem = OWN_SERVER["refusal"]("dynamodb", endpoint.hostname, endpoint.port or 80)
        if problem:
            sys.exit(f"error: DynamoDB at {HOST}: {problem}")


def fail(exc):
    """Turn a PynamoDB failure into one line a student can act on, and exit 1."""
    cause = getattr(exc, "cause", exc)
    if isinstance(cause, EndpointConnectionError):
        sys.exit(f"error: cannot reach DynamoDB at {HOST}. {HOW_TO_START}")
    if isinstance(cause, NoCredentialsError):
        # Only real AWS gets here (DYNAMODB_HOST empty): DynamoDB Local always has a
        # pair, and for AWS .env's pair is dropped above, so .env is no place for keys.
        sys.exit(
            "error: no AWS credentials for real AWS (DYNAMODB_HOST is empty): run "
            "`aws configure` (keys) or `aws configure sso` (SSO), or export AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in your shell (.env's pair is DynamoDB Local's and is not sent)"
        )
    code = cause.response["Error"].get("Code", "") if isinstance(cause, ClientError) else ""
    not_dynamodb = isinstance(cause, ConnectionClosedError) or (code.isdigit() and code != "")
    if code in ("UnrecognizedClientException", "InvalidSignatureException"):
        names = f"{where('AWS_ACCESS_KEY_ID')} and {where('AWS_SECRET_ACCESS_KEY')}"
        sys.exit(f"error: DynamoDB refused the credentials: check {names}")
    if HOST and not_dynamodb:  # an answer, but not in DynamoDB's language
        sys.exit(
            f"error: the server at {HOST} answers, but not like DynamoDB. "
            f"Check {where('DYNAMODB_HOST')}: DynamoDB Local listens on http://127.0.0.1:8000"
        )
    sys.exit(f"error: DynamoDB: {' '.join(str(exc).split())}")  # one line, whatever it says
