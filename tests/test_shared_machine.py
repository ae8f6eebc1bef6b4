"""Safe on a shared machine (issue 17): each test reproduces one finding and shows it closed.

A second checkout (a copy of the tools and compose files) stands in for another student's
clone, so that nothing here touches this checkout's running servers.
"""

import json
import os
import shutil
import signal
import subprocess
import sys

from utils.paths import LESSON, ROOT


def checkout_copy(tmp_path):
    """Another clone of the lesson: tools, compose files, .env."""
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in (".env", ".env.example", "docker-compose.yml", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path)
    for section in ("03", "04", "05"):
        (tmp_path / "lesson-17" / section).mkdir(parents=True)
        shutil.copy(LESSON / section / "docker-compose.yml", tmp_path / "lesson-17" / section)
    return tmp_path


def services(checkout, *args, env=None):
    return subprocess.run(
        [sys.executable, "tools/services/services.py", *args],
        cwd=checkout,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def started(pid):
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19])


def exe(pid):
    return os.readlink(f"/proc/{pid}/exe")


def test_finding_5_a_stale_pid_file_never_kills_someone_elses_process(tmp_path):
    """After a reboot, a pid file may name an unrelated process: it must survive `down`."""
    checkout = checkout_copy(tmp_path / "clone")
    bystanders = [subprocess.Popen(["sleep", "300"], cwd=tmp_path) for _ in range(3)]
    try:
        state = checkout / ".services"
        for name in ("mysql", "dynamodb", "influxdb"):
            (state / name).mkdir(parents=True)
        (state / "engine").write_text("native")
        mysql, dynamodb, influxdb = (p.pid for p in bystanders)
        # an old bare number, a record with another start time, one with another program
        (state / "mysql" / "mysql.pid").write_text(f"{mysql}\n")
        record = {"pid": dynamodb, "started": started(dynamodb) + 1, "exe": exe(dynamodb)}
        (state / "dynamodb" / "dynamodb.pid").write_text(json.dumps(record))
        record = {"pid": influxdb, "started": started(influxdb), "exe": exe(influxdb) + "-not"}
        (state / "influxdb" / "influxdb.pid").write_text(json.dumps(record))

        proc = services(checkout, "down", env={"SERVICES_ENGINE": "native"})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count("was not running (nothing of ours to stop)") == 3, proc.stdout
        assert all(p.poll() is None for p in bystanders), "a bystander was signalled"
    finally:
        for p in bystanders:
            p.send_signal(signal.SIGKILL)
            p.wait()


def test_finding_5_an_old_pid_file_of_our_own_server_still_stops_it(tmp_path):
    """The bare-number pid files of earlier versions: a process that runs in this
    checkout's .services/NAME is ours, adopted, and stopped."""
    checkout = checkout_copy(tmp_path / "clone")
    folder = checkout / ".services" / "mysql"
    folder.mkdir(parents=True)
    (checkout / ".services" / "engine").write_text("native")
    ours = subprocess.Popen(["sleep", "300"], cwd=folder)
    (folder / "mysql.pid").write_text(f"{ours.pid}\n")
    try:
        proc = services(checkout, "down", env={"SERVICES_ENGINE": "native"})
        assert "mysql     stopped" in proc.stdout, proc.stdout + proc.stderr
        assert ours.wait(timeout=30) == -signal.SIGTERM
    finally:
        if ours.poll() is None:
            ours.kill()
