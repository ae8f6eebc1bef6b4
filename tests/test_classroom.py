"""Instructor commands and pictures: one section's demo, a reset, looking inside each
database with a real client, SQL_ECHO, the plot of 05 and the schema diagram of 02."""

import importlib.util
import json
import os
import re
import subprocess

import pytest
from PIL import Image

import tasks
from utils.engine import engine
from utils.paths import LESSON, ROOT
from utils.scripts import ORM_OUTPUT, run_ok, run_twice
from utils.settings import CLOSED_PORT, SETTINGS


def make(*args, stdin=None, env=None):
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_of_one_section_runs_only_its_scripts(mysql_conn):
    # Section 02 (one script, on SQLite: quick): its scripts in DEMO order, and no other.
    proc = make("demo", "SECTION=02")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    headers = re.findall(r"^=== lesson-17/(\d\d/\S+):", proc.stdout, re.M)
    assert headers == [script for script in tasks.DEMO if script.startswith("02/")]
    unknown = make("demo", "SECTION=07")
    assert unknown.returncode != 0
    assert "error: no section '07': choose 01, 02, 03, 04 or 05" in unknown.stderr


@pytest.mark.alone  # make reset empties the lesson's buckets, the exercises' too
def test_reset_empties_the_lessons_databases_says_what_first_and_keeps_the_rest(
    mysql_conn, dynamodb, influx
):
    run_ok("03", "main.py")
    run_ok("04", "main.py")
    run_ok("05", "write.py")
    # Somebody's own table and bucket on the same servers: not the lesson's to delete.
    dynamodb.create_table(
        TableName="my_own_table",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    org = json.loads(influx.request(f"/api/v2/orgs?org={SETTINGS['INFLUXDB_ORG']}"))["orgs"][0]
    mine = json.loads(
        influx.request("/api/v2/buckets", json.dumps({"name": "my_own_bucket", "orgID": org["id"]}))
    )
    try:
        proc = make("reset")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        lines = proc.stdout.splitlines()
        plans = [i for i, line in enumerate(lines) if " will delete: " in line]
        deeds = [i for i, line in enumerate(lines) if re.search(r" (dropped|deleted) ", line)]
        assert len(plans) == 3 and len(deeds) == 3 and max(plans) < min(deeds), proc.stdout
        database = SETTINGS["MYSQL_DATABASE"]
        assert re.search(
            rf"^mysql +dropped .*{database} \(\d+ tables\).*; created {database} empty "
            r"\(marked as the lesson's\)$",
            proc.stdout,
            re.M,
        )
        assert re.search(r"^dynamodb +deleted \d+ table\(s\): .*\buser\b", proc.stdout, re.M)
        bucket = SETTINGS["INFLUXDB_BUCKET"]
        assert re.search(
            rf"^influxdb +deleted .*{bucket}.*; created {bucket} empty$", proc.stdout, re.M
        )
        assert "my_own" not in proc.stdout

        with mysql_conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (database,),
            )
            assert cur.fetchall() == (("lesson17_marker",),)  # the mark, and no lesson table
        assert dynamodb.list_tables()["TableNames"] == ["my_own_table"]
        assert influx.count(bucket, "environment") == 0
        names = json.loads(influx.request(f"/api/v2/buckets?orgID={org['id']}"))["buckets"]
        assert "my_own_bucket" in {b["name"] for b in names}
    finally:
        dynamodb.delete_table(TableName="my_own_table")
        influx.request(f"/api/v2/buckets/{mine['id']}", method="DELETE")
    # As after a fresh `make services`: every server healthy, the lesson runs again.
    assert make("services-status").returncode == 0
    assert run_ok("03", "main.py").lines == ORM_OUTPUT


def test_look_inside_each_database_with_a_real_client(mysql_conn, dynamodb, influx):
    run_ok("03", "main.py")
    run_ok("04", "main.py")
    run_ok("05", "write.py")
    shell = make("mysql-shell", stdin="SELECT name, age FROM user ORDER BY id;\n")
    assert shell.returncode == 0, shell.stderr
    assert re.search(r"\|\s*alice\s*\|\s*30\s*\|", shell.stdout), shell.stdout
    wrong = make("mysql-shell", stdin="SELECT no_such_column FROM user;\n")  # the client's
    assert wrong.returncode != 0 and "no_such_column" in wrong.stderr  # exit code, waited for
    items = make("dynamodb-items")
    assert items.returncode == 0, items.stderr
    assert "user: 1 item(s)" in items.stdout
    assert '{"age": 30, "email": "alice@example.com", "name": "Alice"}' in items.stdout
    points = make("influx-points")
    assert points.returncode == 0, points.stderr
    web_ui = {"native": "the native build has no web UI", "docker": "its web UI is at"}
    assert web_ui[engine()] in points.stdout
    newest = influx.flux(
        f'from(bucket: "{influx.bucket}") |> range(start: 0) |> toString() |> group()'
        ' |> sort(columns: ["_time"], desc: true) |> limit(n: 1)'
    )[0]
    shown = f"{newest['_time']}  {newest['_measurement']}"
    assert shown in points.stdout and f"{newest['_field']}={newest['_value']}" in points.stdout


@pytest.mark.parametrize(
    ("target", "setting", "value"),
    [
        ("mysql-shell", "MYSQL_PORT", CLOSED_PORT),
        ("dynamodb-items", "DYNAMODB_HOST", f"http://127.0.0.1:{CLOSED_PORT}"),
        ("influx-points", "INFLUXDB_URL", f"http://127.0.0.1:{CLOSED_PORT}"),
    ],
)
def test_a_look_at_a_server_that_is_down_names_it_where_and_the_start_command(
    target, setting, value
):
    """One line, before any greeting: which server, where it was looked for, and the
    command that starts it (not a raw `Connection refused` nor the client's own error)."""
    proc = make(target, env={setting: value}, stdin="")
    assert proc.returncode != 0 and proc.stdout == ""
    server = {"mysql-shell": "mysql", "dynamodb-items": "dynamodb", "influx-points": "influxdb"}
    where = f"127.0.0.1:{CLOSED_PORT}"
    line = proc.stderr.splitlines()[0]
    assert line.startswith(f"error: {server[target]} is not running at "), proc.stderr
    assert where in line and line.endswith("`make services` starts it"), line
    assert "try SHOW TABLES" not in proc.stderr


def test_a_look_with_a_refused_token_names_it_and_the_fix_that_keeps_the_data(influx):
    proc = make("influx-points", env={"INFLUXDB_TOKEN": "not-the-token"})
    assert proc.stderr.splitlines()[0] == (
        "error: influxdb answers, but refuses INFLUXDB_TOKEN (401 unauthorized): INFLUXDB_TOKEN "
        "is exported in your shell: `unset INFLUXDB_TOKEN` to use .env's"
    )


def test_sql_echo_shows_the_statements_on_stderr_only(mysql_conn):
    for section in ("02", "03"):
        result = run_ok(section, "main.py", env={"SQL_ECHO": "1"})
        assert result.lines == ORM_OUTPUT, "stdout stays what the lesson shows"
        assert "CREATE TABLE" in result.stderr and "INSERT INTO address" in result.stderr
        if section == "03":  # the lesson's statements, not the MySQL dialect's start-up
            assert "SELECT DATABASE()" not in result.stderr
            assert "@@sql_mode" not in result.stderr and "[raw sql] {}" not in result.stderr
            assert "'alice'" in result.stderr  # parameters that are sent are still shown


def png_text(path):
    """The text chunks of a PNG, as {keyword: text}, read by Pillow; fails unless it is a
    whole PNG whose every chunk passes its checksum (verify() reads them up to IEND)."""
    with Image.open(path, formats=["PNG"]) as image:
        image.verify()
    with Image.open(path, formats=["PNG"]) as image:  # verify() leaves it unusable
        return dict(image.text)


def test_plot_draws_exactly_the_points_the_server_holds(influx):
    run_ok("05", "write.py")
    first = run_twice("05", "plot.py")
    plotted = json.loads(png_text(LESSON / "05" / "sensors.png")["Description"])
    rows = influx.flux(
        f'from(bucket: "{influx.bucket}")'
        " |> range(start: 2026-01-01T08:00:00Z, stop: 2026-01-01T09:00:00Z)"
        ' |> filter(fn: (r) => r._measurement == "environment")'
    )
    expected = {}
    for r in sorted(rows, key=lambda r: r["_time"]):
        expected.setdefault(r["sensor"], {}).setdefault(r["_field"], []).append(float(r["_value"]))
    assert plotted == expected
    readings = sum(len(fields["temperature"]) for fields in expected.values())
    assert first.lines == [
        f"Wrote sensors.png: {len(expected)} sensors, {readings} readings, 12 15-minute means"
    ]
    assert png_text(LESSON / "images" / "05-sensors.png")  # the committed sample is a PNG too


DIAGRAMS = [  # (the README that draws the tables, the module that declares them)
    ("README.md", "02/model.py"),
    ("practice/1_user_management/README.md", "practice/1_user_management/user_models.py"),
    ("practice/2_blog/README.md", "practice/2_blog/blog_models.py"),
    ("practice/3_ecommerce/README.md", "practice/3_ecommerce/shop_models.py"),
    ("practice/6_multi_tenant/README.md", "practice/6_multi_tenant/starter.py"),
]


@pytest.mark.parametrize(("readme", "models"), DIAGRAMS)
def test_the_schema_diagram_matches_the_models(readme, models):
    """Each table with its columns, types and keys (PK, FK, UK for a unique column), and a
    line per foreign key, as the models declare them. A type with a precision and scale
    is drawn as its name and a note (Mermaid takes no comma in a type)."""
    text = (LESSON / readme).read_text()
    diagram = re.search(r"```mermaid\n(erDiagram\n.*?)```", text, re.S).group(1)
    path = LESSON / models
    spec = importlib.util.spec_from_file_location(f"diagram_{path.stem}", path)
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)

    drawn = {
        name: [tuple(re.sub(r' "[^"]*"$', "", line).split()) for line in body.strip().splitlines()]
        for name, body in re.findall(r"^    (\w+) \{\n(.*?)^    \}", diagram, re.S | re.M)
    }
    actual = {}
    for table in model.Base.metadata.sorted_tables:
        columns = []
        for column in table.columns:
            kind = re.sub(r"\(\d+, \d+\)$", "", str(column.type))
            mark = ("PK",) if column.primary_key else ("FK",) if column.foreign_keys else ()
            unique = ("UK",) if column.unique and not mark else ()
            columns.append((kind, column.name, *mark, *unique))
        actual[table.name] = columns
    assert drawn == actual, readme
    relations = re.findall(r"^    (\w+) \|\|--o\{ (\w+) :", diagram, re.M)
    foreign = [
        (fk.column.table.name, table.name)
        for table in model.Base.metadata.sorted_tables
        for fk in table.foreign_keys
    ]
    assert sorted(relations) == sorted(foreign), readme


def test_the_dynamodb_diagram_matches_the_models():
    """Exercise 4: each table and each secondary index, its partition and sort keys first."""
    text = (LESSON / "practice" / "4_social" / "README.md").read_text()
    diagram = re.search(r"```mermaid\n(erDiagram\n.*?)```", text, re.S).group(1)
    path = LESSON / "practice" / "4_social" / "social_models.py"
    spec = importlib.util.spec_from_file_location("diagram_social_models", path)
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)

    def keyed(attributes):
        order = sorted(
            attributes.items(), key=lambda a: (not a[1].is_hash_key, not a[1].is_range_key)
        )
        role = {True: ("PK", '"partition key"'), False: ()}
        return [
            (
                type(a).__name__,
                n,
                *role[a.is_hash_key],
                *(("PK", '"sort key"') if a.is_range_key else ()),
            )
            for n, a in order
        ]

    drawn = {
        name: [tuple(re.findall(r'"[^"]*"|\S+', line)) for line in body.strip().splitlines()]
        for name, body in re.findall(r"^    (\w+) \{\n(.*?)^    \}", diagram, re.S | re.M)
    }
    expected = {}
    for table in model.MODELS:
        expected[table.Meta.table_name] = keyed(table.get_attributes())
        for index in table._indexes.values():
            keys = {n: a for n, a in type(index).__dict__.items() if hasattr(a, "is_hash_key")}
            expected[index.Meta.index_name.replace("-", "_")] = keyed(keys)
    assert drawn == expected
