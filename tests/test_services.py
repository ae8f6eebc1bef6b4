"""The three servers `make services` starts answer with the .env settings."""

import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

from utils.paths import LESSON, ROOT
from utils.processes import UNNAMED, processes_readable
from utils.settings import CLOSED_PORT, SETTINGS, WORKER, exported_note


def test_mysql_answers_select_1_in_the_configured_database(mysql_conn):
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT 1, DATABASE()")
        assert cur.fetchone() == (1, SETTINGS["MYSQL_DATABASE"])


def test_the_lessons_database_keeps_any_text_a_student_types(mysql_conn, mysql_settings):
    """Names like Zoë or 李 and emoji round-trip through the lesson's user, in a table
    made with the database's defaults, as the ORM makes them. Seen failing on the native
    MariaDB started without a character set (latin1: 1366 Incorrect string value)."""
    text = "Zoë 李 🙂"
    with mysql_conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS unicode_check")
        cur.execute("CREATE TABLE unicode_check (name VARCHAR(20))")
        try:
            cur.execute("INSERT INTO unicode_check VALUES (%s)", (text,))
            cur.execute("SELECT name FROM unicode_check")
            assert cur.fetchone() == (text,)
        finally:
            cur.execute("DROP TABLE unicode_check")


def test_dynamodb_local_lists_tables(dynamodb):
    assert "TableNames" in dynamodb.list_tables()


def test_influxdb_is_set_up_with_the_configured_bucket(influx):
    buckets = influx.flux('buckets() |> keep(columns: ["name"])')
    assert SETTINGS["INFLUXDB_BUCKET"] in {row["name"] for row in buckets}


# For each server: a credential it refuses, with the setting its probe must name, and the
# setting that points it at a port where nothing listens.
WRONG_CREDENTIAL = {
    "mysql": ("MYSQL_PASSWORD", "not-the-password", "MYSQL_USER/MYSQL_PASSWORD ("),
    "dynamodb": ("AWS_ACCESS_KEY_ID", "has-a-dash", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ("),
    "influxdb": ("INFLUXDB_TOKEN", "not-the-token", "INFLUXDB_TOKEN (401"),
}
CLOSED = {
    "mysql": ("MYSQL_PORT", CLOSED_PORT),
    "dynamodb": ("DYNAMODB_HOST", f"http://127.0.0.1:{CLOSED_PORT}"),
    "influxdb": ("INFLUXDB_URL", f"http://127.0.0.1:{CLOSED_PORT}"),
}


@pytest.mark.parametrize("name", sorted(WRONG_CREDENTIAL))
def test_a_probe_tells_a_refused_credential_from_a_server_that_is_not_there(
    name, mysql_conn, dynamodb, influx
):
    """The advice hangs on it: "refused" names the setting to fix, "down" the command
    that starts the server. Each probe asks through its SDK (PyMySQL, botocore,
    influxdb-client); a wrong mapping of the SDK's errors fails here."""
    from tools.services.env_settings import read_settings
    from tools.services.servers import by_name

    server, s = by_name(name), read_settings()
    assert server.probe(s) == ("ok", "")
    setting, value, named = WRONG_CREDENTIAL[name]
    state, detail = server.probe({**s, setting: value})
    assert (state, detail[: len(named)]) == ("refused", named), detail
    setting, value = CLOSED[name]
    state, detail = server.probe({**s, setting: value})
    assert state == "down" and detail, detail


def test_a_bucket_the_server_lacks_is_named_and_made_by_services(influx):
    """.env names a bucket the server has not got (a student renamed it): the probe names
    INFLUXDB_BUCKET, not the org (InfluxDB 2.8 answers 404 for either), and `make
    services` (the server's prepare) creates it. Seen failing before: "INFLUXDB_ORG (HTTP
    404 ...)", with the advice to delete the server's data."""
    from tools.services import influxdb_server
    from tools.services.env_settings import read_settings

    s = {**read_settings(), "INFLUXDB_BUCKET": f"renamed_{WORKER or 'serial'}"}
    try:
        state, detail = influxdb_server.SERVER.probe(s)
        assert (state, detail) == (
            "refused",
            f"INFLUXDB_BUCKET (no bucket {s['INFLUXDB_BUCKET']!r} in the org)",
        )
        assert influxdb_server.reset_advice("native", detail) == "`make services` creates it"
        influxdb_server.SERVER.prepare(s)
        assert influxdb_server.SERVER.probe(s) == ("ok", "")
    finally:
        influxdb_server.delete_buckets(s, [s["INFLUXDB_BUCKET"]])


def services(command, env=None, checkout=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "tools.services", command],
        cwd=checkout,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def second_checkout(tmp_path):
    """Another clone of the lesson, as a second student (or an old copy) has it."""
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in (".env", ".env.example", "docker-compose.yml"):
        shutil.copy(ROOT / name, tmp_path)
    for section in ("03", "04", "05"):
        (tmp_path / "lesson-17" / section).mkdir(parents=True)
        shutil.copy(LESSON / section / "docker-compose.yml", tmp_path / "lesson-17" / section)
    return tmp_path


def test_a_second_checkout_is_told_at_once_whose_servers_hold_the_ports(tmp_path, mysql_conn):
    """At once: before any step (install, build, start) says a word, not minutes into it."""
    checkout = second_checkout(tmp_path)
    proc = services("up", checkout=checkout)
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout == ""  # nothing was started, installed or built first
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"error: mysql: port {SETTINGS['MYSQL_PORT']} is held by the lesson-17 ")
    assert f" of {ROOT} " in line and "`make services-down` in that folder" in line


def test_a_program_on_a_lesson_port_is_named_not_used(mysql_conn):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        proc = services("up", env={"INFLUXDB_URL": f"http://127.0.0.1:{port}"})
    assert proc.returncode == 1, proc.stdout
    (line,) = proc.stderr.strip().splitlines()
    held = f"pid {os.getpid()} (python" if processes_readable() else UNNAMED  # an empty /proc
    assert line.startswith(f"error: influxdb: port {port} is held by {held}")
    assert line.endswith("stop it, or choose another port for the lesson in .env")


def healthy_names(output):
    return [line.split()[0] for line in output.splitlines() if " healthy" in line]


def test_services_status_reports_all_three_healthy(mysql_conn, dynamodb, influx):
    proc = services("status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert healthy_names(proc.stdout) == ["mysql", "dynamodb", "influxdb"]


def test_services_up_again_is_a_no_op_that_reports_them_healthy(mysql_conn, dynamodb, influx):
    proc = services("up")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert healthy_names(proc.stdout) == ["mysql", "dynamodb", "influxdb"]
    for word in ("installing", "building", "initialising", "set up org"):
        assert word not in proc.stdout, proc.stdout


def test_services_status_names_an_unreachable_server_and_how_to_start_it(
    mysql_conn, dynamodb, influx
):
    proc = services("status", env={"MYSQL_PORT": CLOSED_PORT})
    assert proc.returncode == 1
    assert f"mysql     NOT REACHABLE {SETTINGS['MYSQL_HOST']}:{CLOSED_PORT}" in proc.stdout
    assert healthy_names(proc.stdout) == ["dynamodb", "influxdb"]
    problem, note = proc.stderr.strip().splitlines()
    assert problem.startswith("mysql: nothing answers (") and problem.endswith(
        "Start it with: make services"
    )
    assert note == exported_note("MYSQL_PORT")


def test_services_up_ends_with_where_each_server_listens(mysql_conn, dynamodb, influx):
    proc = services("up")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("Ready: MySQL at "), proc.stdout
    for setting in ("MYSQL_HOST", "DYNAMODB_HOST", "INFLUXDB_URL"):
        assert SETTINGS[setting] in last


def test_a_long_build_step_says_what_it_does_while_it_runs(tmp_path):
    """The InfluxDB and Compose builds run their steps through common.run(progress=...).
    The step here waits until the test has read a progress line: no clock decides."""
    go = tmp_path / "go"
    step = (  # 120 s only bounds how long a broken progress takes to fail, never a pass
        f"import pathlib, time\nend = time.monotonic() + 120\n"
        f"while not pathlib.Path({str(go)!r}).exists() and time.monotonic() < end:"
        " time.sleep(0.02)"
    )
    code = (
        "import sys; from tools.services.common import run;"
        f" run([sys.executable, '-c', {step!r}], 'the step',"
        " progress=('influxdb', 'linking influxd', 'about 3 s'), every=0.1)"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    ) as proc:  # fmt: skip
        first, second = proc.stdout.readline(), proc.stdout.readline()
        go.touch()  # the step ends only now, after its progress line was printed
        rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert first == "influxdb  linking influxd (the whole build takes about 3 s)\n"
    still = re.compile(r"influxdb  still linking influxd: \d+ s so far, of about 3 s in all")
    assert still.fullmatch(second.rstrip("\n")), second
    assert all(still.fullmatch(line) for line in rest.splitlines()), rest  # and nothing else


def test_compose_builds_the_containers_from_dot_env_alone(monkeypatch, capfd):
    """A setting exported in the shell (a test worker's database, a student's other
    bucket) must not reach Compose, which would recreate the containers with it."""
    from tools.services import services as manager

    monkeypatch.setenv("MYSQL_DATABASE", "exported_elsewhere")
    shows = "import os; print(os.environ.get('MYSQL_DATABASE'), 'PATH' in os.environ)"
    monkeypatch.setattr(manager, "COMPOSE", [sys.executable, "-c", shows])
    manager.compose("config")
    assert capfd.readouterr().out == "None True\n"  # .env decides; the rest of the env stays


def test_with_services_engine_docker_up_waits_for_the_engine_and_never_goes_native(
    monkeypatch, capsys
):
    """The dev container's `make services` (SERVICES_ENGINE=docker) can run before the
    docker-in-docker engine answers: it waits, bounded, then says so in one line; it never
    starts native servers (the engine's start is simulated through docker_engine_present)."""
    from tools.services import common, services

    monkeypatch.setenv("SERVICES_ENGINE", "docker")
    monkeypatch.setattr(services, "ENGINE_WAIT", 0)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)
    answers = iter([False, False, True])
    never = type("Never", (), {"__call__": lambda self: False, "cache_clear": lambda self: None})
    monkeypatch.setattr(services, "docker_engine_present", never())
    with pytest.raises(common.Fail) as refused:
        services.wait_for_engine()
    assert str(refused.value).startswith("no Docker engine answered in 0 s, and SERVICES_ENGINE")
    late = type(
        "Late", (), {"__call__": lambda self: next(answers), "cache_clear": lambda self: None}
    )
    monkeypatch.setattr(services, "ENGINE_WAIT", 60)
    monkeypatch.setattr(services, "docker_engine_present", late())
    services.wait_for_engine()  # answered on the third ask
    assert capsys.readouterr().out.count("waiting for the Docker engine to answer") == 2


def test_status_under_docker_says_who_answers_instead_of_no_container_and_when_root_is_kept(
    mysql_conn,
):
    """Under Docker, status used to say `NOT REACHABLE (compose reports no container)` while
    another program served the port, and `nothing answers ... Start it` when the volume
    kept another root password. Held in-process: here this checkout's native MySQL answers
    on the port, as a section's own container would there (the rig runs the real case)."""
    from tools.services import services
    from tools.services.env_settings import read_settings
    from tools.services.mysql_server import SERVER
    from tools.services.owners import Holder, refusal

    s = read_settings()
    state, detail = services.container_trouble(SERVER, s, None)
    assert state == "foreign" and detail.startswith(
        f"mysql: port {s['MYSQL_PORT']} is held by this checkout's native mysql"
    ), detail
    state, detail = services.container_trouble(SERVER, s, "unhealthy")
    assert state == "root" and "a volume keeps the one it was created with" in detail
    assert detail.endswith("`docker compose down -v` (deletes its data), then `make services`")
    container = Holder("the Docker container 03-mysql-1 (mysql:8.4)", "other",
                       "`docker stop 03-mysql-1` (its volume keeps its data), or choose another "
                       "port in .env")  # fmt: skip
    assert refusal("mysql", 3306, container) == (
        "mysql: port 3306 is held by the Docker container 03-mysql-1 (mysql:8.4): "
        "`docker stop 03-mysql-1` (its volume keeps its data), or choose another port in .env"
    )


def test_the_recorded_engine_is_never_read_half_written(monkeypatch):
    """`make test`'s workers run `up` (which records the engine it chose) while others read
    the record. Seen failing with a plain write_text: a reader met the emptied file and
    stopped on "SERVICES_ENGINE must be docker, native or auto, not ''"."""
    import threading

    from tools.services import servers

    monkeypatch.delenv("SERVICES_ENGINE", raising=False)
    recorded = servers.ENGINE_FILE.read_text().strip()  # rewritten with its own value
    done = threading.Event()

    def writer():
        for _ in range(3000):
            servers.record_engine(recorded)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen = set()
    try:
        while not done.is_set():
            seen.add(servers.ENGINE_FILE.read_text().strip())
    finally:
        thread.join()
    assert seen == {recorded}, seen
