"""`make doctor`: one line per check, and each problem named with its fix."""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest
from dotenv import dotenv_values

from utils.paths import ROOT
from utils.settings import CLOSED_PORT, NAMESPACE, SETTINGS


def doctor(*args, **env):
    proc = subprocess.run(
        ["python3", "-m", "tools.doctor", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    verdicts = {}
    for line in proc.stdout.splitlines():
        found = re.match(r"(ok|warn|FAIL)\s+(\S+)\s+(.*)", line)
        if found:
            verdicts.setdefault(found.group(2), []).append((found.group(1), found.group(3)))
    return proc, verdicts


def only(verdicts, topic):
    (verdict,) = verdicts[topic]
    return verdict


def test_make_doctor_finds_nothing_wrong_on_a_working_set_up(mysql_conn, dynamodb, influx):
    as_a_student = {k: v for k, v in os.environ.items() if k not in NAMESPACE}  # .env alone
    proc = subprocess.run(
        ["make", "--no-print-directory", "doctor"],
        cwd=ROOT,
        env=as_a_student,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout
    for topic in ("python", "venv", ".env", "shell", "mysql", "dynamodb", "influxdb"):
        assert f"ok    {topic}" in proc.stdout, proc.stdout
    assert "FAIL" not in proc.stdout
    assert proc.stdout.rstrip().endswith("All set: `make demo` runs every example.")


def test_without_a_venv_doctor_says_so_and_checks_no_server(tmp_path):
    proc, verdicts = doctor("--venv", str(tmp_path / "no-venv"))
    assert proc.returncode == 1
    assert only(verdicts, "venv") == (
        "FAIL",
        f"no virtualenv at {tmp_path / 'no-venv'}: run `make install`",
    )
    assert "mysql" not in verdicts and "checked in .venv" in proc.stdout.splitlines()[-1]


def test_doctor_names_each_provoked_cause_and_its_fix(mysql_conn, dynamodb, influx):
    proc, verdicts = doctor(
        MYSQL_PASSWORD="not-the-password",  # pragma: allowlist secret
        INFLUXDB_TOKEN="not-the-token",
        AWS_ACCESS_KEY_ID="has-a-dash",
        INFLUXDB_PORT=SETTINGS["INFLUXDB_PORT"],  # exported, but the same value as .env
    )
    assert proc.returncode == 1
    verdict, message = only(verdicts, "shell")
    assert verdict == "warn"
    for name in ("AWS_ACCESS_KEY_ID", "INFLUXDB_TOKEN", "MYSQL_PASSWORD"):
        assert name in message
    verdict, message = only(verdicts, "settings")
    assert verdict == "FAIL" and "AWS_ACCESS_KEY_ID='has-a-dash'" in message
    assert "letters and digits only" in message
    verdict, message = only(verdicts, "mysql")
    assert verdict == "FAIL" and "refuses MYSQL_USER/MYSQL_PASSWORD" in message
    verdict, message = only(verdicts, "influxdb")
    assert verdict == "FAIL" and "refuses INFLUXDB_TOKEN" in message
    # The scripts' token is exported, and `make services` would refuse to replace it; and
    # no advice to delete the server's data, which a new token never needs.
    assert message.endswith("`unset INFLUXDB_TOKEN` to use .env's"), message
    assert "rm -rf" not in message and "down -v" not in message
    assert "problem(s)" in proc.stdout.splitlines()[-1]


def test_doctor_tells_a_stopped_server_from_a_port_held_by_another_program(tmp_path, mysql_conn):
    # This checkout's MySQL runs, on .env's port: asked for another, doctor says so.
    _, verdicts = doctor(MYSQL_PORT=CLOSED_PORT)
    verdict, message = only(verdicts, "mysql")
    assert verdict == "FAIL" and message.startswith(
        f"this checkout's mysql runs on port {SETTINGS['MYSQL_PORT']}, but MYSQL_PORT, "
        f"exported in your shell, asks for {CLOSED_PORT}"
    )
    # A checkout whose servers were never started: its MySQL is not running.
    lines = (ROOT / ".env.example").read_text().splitlines() + [f"MYSQL_PORT={CLOSED_PORT}"]
    _, fails = doctor_in(checkout_copy(tmp_path, lines))
    (line,) = [line for line in fails if line.startswith("FAIL  mysql")]
    assert line.endswith("`make services` starts it") and "not running" in line, line
    # InfluxDB's port answers HTTP, not the MySQL protocol: something else holds it.
    _, verdicts = doctor(MYSQL_PORT=SETTINGS["INFLUXDB_PORT"])
    verdict, message = only(verdicts, "mysql")
    assert verdict == "FAIL" and f"port {SETTINGS['INFLUXDB_PORT']} is held by " in message
    # Natively, that is not this checkout's mysql process, so nothing is sent to it at all;
    # under Docker it is a container of ours, which is then asked, and does not answer.
    assert "which does not answer as mysql" in message or (
        "(influxd, user " in message and message.endswith("(nothing was sent to it)")
    ), message


def test_doctor_rejects_malformed_urls_and_ports():
    _, verdicts = doctor(DYNAMODB_HOST="localhost:8000", MYSQL_PORT="abc")
    messages = [message for verdict, message in verdicts["settings"] if verdict == "FAIL"]
    assert "MYSQL_PORT='abc' is not a port number (1 to 65535, digits 0-9)" in messages
    assert "DYNAMODB_HOST must look like http://host:port, not 'localhost:8000'" in messages


def checkout_copy(tmp_path, env_lines):
    """The tools, .env.example and requirements.txt of this checkout, with its own .env."""
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in (".env.example", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path)
    (tmp_path / ".env").write_text("\n".join(env_lines) + "\n")
    return tmp_path


def doctor_in(folder):
    proc = subprocess.run(
        ["python3", "-m", "tools.doctor", "--venv", str(ROOT / ".venv")],
        cwd=folder,
        env={k: v for k, v in os.environ.items() if k not in SETTINGS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc, [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]


def test_doctor_names_the_variables_a_dot_env_lacks(tmp_path):
    """An old .env, copied before .env.example gained a variable."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    kept = [line for line in lines if not line.startswith(("INFLUXDB_ORG=", "AWS_DEFAULT_REGION="))]
    proc, fails = doctor_in(checkout_copy(tmp_path, kept))
    assert proc.returncode == 1
    line = next(line for line in fails if line.startswith("FAIL  .env") and "lacks" in line)
    assert line.endswith("lacks AWS_DEFAULT_REGION, INFLUXDB_ORG: copy them from .env.example")


def test_doctor_flags_a_misspelt_setting_that_would_be_ignored(tmp_path):
    lines = (ROOT / ".env.example").read_text().splitlines() + ["MYSQL_DATABSE=shop", "MY_NOTE=x"]
    _, fails = doctor_in(checkout_copy(tmp_path, lines))
    assert (
        "FAIL  .env      MYSQL_DATABSE is not a setting: did you mean MYSQL_DATABASE? (ignored)"
        in fails
    )
    assert not any("MY_NOTE" in line for line in fails)  # not close to a setting: the user's own


def test_doctor_reads_export_lines_as_the_scripts_do(tmp_path):
    """`export NAME=value` (a .env also sourced by a shell): python-dotenv reads NAME, and so
    must the doctor, or it calls every setting misspelt and missing."""
    lines = [f"export {name}={value}" for name, value in SETTINGS.items()]  # real values
    assert len(lines) >= 10
    proc, fails = doctor_in(checkout_copy(tmp_path, lines))
    assert not [line for line in fails if line.startswith("FAIL  .env")], proc.stdout


def test_an_inline_comment_in_dot_env_is_read_as_the_scripts_read_it(tmp_path, mysql_conn):
    """`MYSQL_PASSWORD=... # from class`: python-dotenv drops the comment, for the servers
    and the doctor as for the scripts, so nothing is blamed and no reset is advised."""
    real = {**SETTINGS, "MYSQL_PASSWORD": SETTINGS["MYSQL_PASSWORD"] + "   # from class"}
    lines = [f"{name}={value}" for name, value in real.items()]
    folder = checkout_copy(tmp_path, lines)
    for record in (ROOT / ".services").glob("*/*.pid"):  # the servers are the copy's own:
        target = folder / ".services" / record.parent.name  # the doctor sends it credentials
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(record, target)
    proc, fails = doctor_in(folder)
    assert "ok    mysql     answers and accepts the settings" in proc.stdout, proc.stdout
    assert not any("mysql" in line for line in fails), fails


def test_doctor_and_install_find_versions_that_differ_from_the_pins(tmp_path):
    """A venv with another SQLAlchemy than requirements.txt pins (installed by hand)."""
    folder = checkout_copy(tmp_path, (ROOT / ".env.example").read_text().splitlines())
    requirements = folder / "requirements.txt"
    requirements.write_text(
        requirements.read_text().replace("SQLAlchemy==", "SQLAlchemy==1.4.54 #")
    )
    _, fails = doctor_in(folder)
    (line,) = [line for line in fails if line.startswith("FAIL  venv")]
    assert "SQLAlchemy 2." in line and "(pinned 1.4.54)" in line and "`make install`" in line
    # install.py, told its requirements are installed (the marker), still sees the pin unmet.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    pinned = tmp_path / "pinned.txt"
    pinned.write_text("PyYAML==0.0.1\n")
    (venv / ".installed").write_text(hashlib.sha256(pinned.read_bytes()).hexdigest() + "\n")
    proc = subprocess.run(
        ["python3", "-m", "tools.install", "--venv", venv, "--requirements", pinned],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (
        "repairing the versions that differ from their pins: PyYAML missing (pinned 0.0.1)"
        in proc.stdout
    )
    assert "installing" in proc.stdout  # pip is asked (and fails: this venv has no pip)


def test_doctor_names_a_lesson_file_that_hides_a_package(tmp_path):
    folder = checkout_copy(tmp_path, (ROOT / ".env.example").read_text().splitlines())
    (folder / "lesson-17" / "03").mkdir(parents=True)
    (folder / "lesson-17" / "03" / "sqlalchemy.py").write_text("# my notes\n")
    _, fails = doctor_in(folder)
    assert (
        "FAIL  files     lesson-17/03/sqlalchemy.py hides the installed package sqlalchemy from "
        "the scripts in lesson-17/03: rename it"
    ) in fails


def test_doctor_warns_when_the_scripts_would_log_in_as_root(tmp_path, mysql_conn):
    """The warning's advice is true: `make install` moves .env to the lesson's own user, and
    then (after `make services`, which makes that user) the scripts log in as it."""
    lines = [
        "MYSQL_USER=root" if line.startswith("MYSQL_USER=") else line
        for line in (ROOT / ".env").read_text().splitlines()
    ]
    folder = checkout_copy(tmp_path, lines)
    shutil.copy(ROOT / "tasks.py", folder)
    proc, _ = doctor_in(folder)
    warned = [line for line in proc.stdout.splitlines() if "MYSQL_USER is root" in line]
    assert len(warned) == 1 and warned[0].startswith("warn  .env"), proc.stdout
    assert warned[0].endswith("(`make install` moves .env to the lesson's own user)")
    install = subprocess.run(
        [sys.executable, "tasks.py", "--venv", str(ROOT / ".venv"), "install"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert "the scripts now log in to MySQL as `lesson`, not root" in install.stdout, (
        install.stdout + install.stderr
    )
    moved = dotenv_values(folder / ".env")  # the login this checkout's scripts use (mysql_conn)
    assert moved["MYSQL_USER"] == SETTINGS["MYSQL_USER"] == "lesson"
    assert moved["MYSQL_PASSWORD"] == SETTINGS["MYSQL_PASSWORD"]
    proc, _ = doctor_in(folder)  # (its servers are this checkout's: doctor refuses to ask them)
    assert "MYSQL_USER is root" not in proc.stdout


def test_a_managed_server_elsewhere_keeps_root_and_the_warning_says_what_to_do(
    tmp_path, monkeypatch, capsys
):
    """Not the lesson's server: install leaves its user alone, and the warning says so."""
    import tasks
    from tools import doctor

    text = "MYSQL_HOST=db.example.com\nMYSQL_USER=root\nMYSQL_PASSWORD=x\nMYSQL_ROOT_PASSWORD=y\n"
    assert tasks.with_lesson_user(text) == (text, [])
    (tmp_path / ".env").write_text(text)
    shutil.copy(ROOT / ".env.example", tmp_path)
    monkeypatch.setattr(doctor, "ROOT", tmp_path)
    doctor.check_env_file()
    (warned,) = [line for line in capsys.readouterr().out.splitlines() if "is root" in line]
    assert warned.endswith("(give them a user of their own on that server)"), warned


def test_doctor_says_what_apple_silicon_needs_under_docker(monkeypatch, capsys):
    """On arm64 (platform.machine(), simulated here) with Docker, one warn line names the
    emulated image and Docker Desktop's Rosetta setting; on x86-64, nothing."""
    import platform

    from tools import doctor

    monkeypatch.setattr(doctor, "engine", lambda for_up: "docker")
    monkeypatch.setattr(doctor, "docker_engine_present", lambda: True)
    for machine, said in (("arm64", True), ("aarch64", True), ("x86_64", False)):
        monkeypatch.setattr(platform, "machine", lambda machine=machine: machine)
        assert doctor.check_engine() == "docker"
        lines = capsys.readouterr().out.splitlines()
        warned = [line for line in lines if line.startswith("warn") and "arm64" in line]
        assert bool(warned) is said, (machine, lines)
        if said:
            assert "Use Rosetta for x86_64/amd64 emulation on Apple Silicon" in warned[0]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.alone  # moves this checkout's MySQL to another port and back
def test_a_server_of_ours_on_another_port_is_said_so_and_services_moves_it(mysql_conn):
    """Not "not running": it runs, on the port of an earlier .env; `make services` moves it
    (natively: restarts it there; under Docker: recreates the container)."""
    env_file = ROOT / ".env"
    text = env_file.read_text()
    old, new = SETTINGS["MYSQL_PORT"], str(free_port())
    env_file.write_text(re.sub(r"(?m)^MYSQL_PORT=.*$", f"MYSQL_PORT={new}", text))
    try:
        _, verdicts = doctor()
        assert only(verdicts, "mysql") == (
            "FAIL",
            f"this checkout's mysql runs on port {old}, but .env asks for {new}: "
            "`make services` moves it there",
        )
        moved = make_services()
        assert moved.returncode == 0, moved.stdout + moved.stderr
        _, verdicts = doctor()
        assert only(verdicts, "mysql")[0] == "ok"
    finally:  # back where it was, for the other tests
        env_file.write_text(text)
        back = make_services()
        assert back.returncode == 0, back.stdout + back.stderr


def make_services():
    return subprocess.run(
        ["make", "--no-print-directory", "services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
