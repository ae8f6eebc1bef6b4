"""A student's first hour off the happy path: each mistake ends in one line that fixes it.

Every test repeats a step a student really took (the lesson README's set-up, the
document's own per-section instructions, a mistyped setting) and checks the outcome.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from utils.paths import LESSON, ROOT, lesson_files
from utils.scripts import assert_one_line_error, run_ok, run_script
from utils.settings import SETTINGS, exported_note

ALEMBIC = Path(sys.executable).with_name("alembic")
RUFF = Path(sys.executable).with_name("ruff")


def plan(*args):
    """What `make X` (through tasks.py) would run, without running it."""
    proc = subprocess.run(
        ["python3", "tasks.py", "-n", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --- set-up ---


def test_make_services_creates_the_venv_the_lesson_readme_activates_next(tmp_path):
    venv = tmp_path / "fresh-venv"
    assert f"-m tools.install --venv {venv}" in plan("--venv", str(venv), "services")
    readme = (LESSON / "README.md").read_text()
    assert "make services" in readme and "source .venv/bin/activate" in readme


def test_a_venv_made_in_a_section_folder_is_not_lesson_code(tmp_path):
    """The document says: cd lesson-17/02, python3 -m venv .venv, pip install -r ..."""
    section = tmp_path / "lesson-17" / "02"
    lesson_code = sorted(p.name for p in (LESSON / "02").glob("*.py"))
    shutil.copytree(LESSON / "02", section, ignore=shutil.ignore_patterns("__pycache__"))
    for name in (".venv", "venv2"):  # any name: a pyvenv.cfg makes it a virtualenv
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", section / name], check=True)
        version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        package = section / name / "lib" / version / "site-packages" / "somepackage"
        package.mkdir(parents=True)
        # Installed code is neither lesson code nor lint-clean.
        (package / "cli.py").write_text('import os,sys\nif __name__ == "__main__":\n  pass\n')
    found = [p.relative_to(section) for p in lesson_files(tmp_path / "lesson-17")]
    assert sorted(map(str, found)) == lesson_code
    lint = subprocess.run(
        [RUFF, "check", "--config", ROOT / "pyproject.toml", section],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout


def test_install_refuses_an_old_python_in_one_line():
    from tools.install import python_problem

    assert python_problem((3, 10, 12)).startswith("needs Python 3.11+, found 3.10.12")
    assert python_problem(sys.version_info) is None


def test_install_rebuilds_a_venv_made_by_another_python(tmp_path):
    venv, requirements = tmp_path / ".venv", tmp_path / "requirements.txt"
    requirements.write_text("# nothing to install\n")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(re.sub(r"(?m)^version = .*$", "version = 3.10.12", cfg.read_text()))

    proc = subprocess.run(
        ["python3", "-m", "tools.install", "--venv", venv, "--requirements", requirements],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "was made with 3.10, not 3.11: rebuilding it" in proc.stdout.replace(
        f"{sys.version_info[0]}.{sys.version_info[1]}", "3.11"
    )
    rebuilt = re.search(r"(?m)^version = (\d+\.\d+)", cfg.read_text()).group(1)
    assert rebuilt != "3.10"
    assert (venv / "bin" / "python").exists()


def test_install_never_deletes_a_folder_that_is_not_a_virtualenv(tmp_path):
    """`make install VENV=~/venvs` once deleted a folder of other projects."""
    folder = tmp_path / "venvs"
    (folder / "other-project").mkdir(parents=True)
    (folder / "other-project" / "notes.txt").write_text("keep me\n")
    proc = subprocess.run(
        ["python3", "-m", "tools.install", "--venv", folder],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"error: {folder} is a folder but not a virtualenv (no pyvenv.cfg): choose another VENV;"
        " install deletes nothing but an old virtualenv"
    )
    assert (folder / "other-project" / "notes.txt").read_text() == "keep me\n"


def clean_env(**extra):
    """The environment of a new terminal on a machine without AWS credentials: no lesson
    setting exported, no AWS_* at all (profile, role, container credentials), no AWS
    files, and no instance metadata, which on a cloud runner with an instance role would
    find credentials (and is not a loopback address)."""
    names = set(SETTINGS) | {"DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_CONFIG_FILE="/nonexistent")
    env.update(AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


def copy_section(tmp_path, section):
    """A section folder on its own, as the document's per-section instructions use it."""
    target = tmp_path / section
    shutil.copytree(LESSON / section, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.mark.parametrize(
    ("section", "script", "secret"),
    [
        ("03", "main.py", "MYSQL_PASSWORD"),
        ("04", "main.py", "AWS_ACCESS_KEY_ID"),  # DynamoDB Local's key: no public fallback
        ("05", "write.py", "INFLUXDB_TOKEN"),
    ],
)
def test_without_any_env_file_a_missing_secret_is_one_line(tmp_path, section, script, secret):
    """No password or token is written in the code (the public default it once had is
    every lesson-17 server's password): without .env, one line says where it comes from."""
    folder = copy_section(tmp_path, section)
    result = run_script(section, script, env=None, cwd=folder, base_env=clean_env())
    made_by = {"INFLUXDB_TOKEN": "`make services`"}.get(secret, "`make install`")
    assert_one_line_error(result, f"{secret} is not set", made_by)


# --- messages that name the cause and the fix ---

WRONG = [
    # (section, script, settings, words the one line must hold)
    (  # a database the lesson's user has no rights on: MySQL will not say if it exists
        "03",
        "main.py",
        {"MYSQL_DATABASE": "no_such_db"},
        ["does not let", "use database 'no_such_db'", "MYSQL_DATABASE"],
    ),
    (  # one it would have rights on, but which is not there
        "03",
        "main.py",
        {"MYSQL_DATABASE": f"{SETTINGS['MYSQL_DATABASE']}_no_such_db"},
        [f"no database '{SETTINGS['MYSQL_DATABASE']}_no_such_db'", "MYSQL_DATABASE"],
    ),
    (
        "03",
        "advanced_pool.py",
        {"MYSQL_PORT": "abc"},
        ["MYSQL_PORT", "must be a port number", "'abc'"],
    ),
    (
        "03",
        "main.py",
        {"MYSQL_HOST": "no-such-host.invalid"},
        ["cannot find the host", "MYSQL_HOST"],
    ),
    ("04", "main.py", {"DYNAMODB_HOST": "localhost:8000"}, ["DYNAMODB_HOST", "http://host:port"]),
    ("05", "write.py", {"INFLUXDB_URL": "localhost:8086"}, ["INFLUXDB_URL", "http://host:port"]),
    ("05", "query.py", {"INFLUXDB_URL": "localhost:8086"}, ["INFLUXDB_URL", "http://host:port"]),
    (
        "04",
        "advanced_operations.py",
        {"AWS_ACCESS_KEY_ID": "has-a-dash"},
        ["AWS_ACCESS_KEY_ID", "letters and digits only"],
    ),
    (
        "04",
        "main.py",
        {"DYNAMODB_HOST": SETTINGS["INFLUXDB_URL"]},  # a server, but not DynamoDB
        ["not like DynamoDB", "DYNAMODB_HOST"],
    ),
]


@pytest.mark.parametrize(("section", "script", "env", "needles"), WRONG)
def test_a_wrong_setting_is_one_line_that_names_it_and_where_it_came_from(
    section, script, env, needles, mysql_conn, dynamodb, influx
):
    line = assert_one_line_error(run_script(section, script, env=env), *needles)
    assert "exported in your shell, which overrides .env" in line
    assert "make services" not in line, "the server is up: starting it is not the fix"


def test_a_wrong_setting_in_a_dot_env_file_says_so(tmp_path, mysql_conn):
    folder = copy_section(tmp_path, "03")
    (folder / ".env").write_text(
        f"MYSQL_PASSWORD={SETTINGS['MYSQL_PASSWORD']}\nMYSQL_DATABASE=no_such_db\n"
    )
    result = run_script("03", "main.py", cwd=folder, base_env=clean_env())
    assert_one_line_error(result, "MYSQL_DATABASE in .env")


def test_empty_aws_keys_with_dynamodb_local_are_one_line_not_a_public_key():
    """Once 04 fell back to the pair `lesson17local`, published here: whoever knew it saw
    the tables of everybody without a key."""
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    result = run_script("04", "main.py", env=env)
    assert_one_line_error(result, "AWS_ACCESS_KEY_ID is not set", "`make install`")


def test_no_aws_credentials_for_real_aws_names_the_settings():
    env = clean_env(DYNAMODB_HOST="", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    result = run_script("04", "main.py", base_env=env)
    assert_one_line_error(result, "no AWS credentials", "AWS_ACCESS_KEY_ID", "aws configure")


def services(command, **env):
    return subprocess.run(
        [sys.executable, "-m", "tools.services", command],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_status_tells_refused_settings_from_a_server_that_is_down(mysql_conn, influx):
    proc = services("status", MYSQL_PASSWORD="not-the-password", INFLUXDB_TOKEN="not-the-token")
    assert proc.returncode == 1
    assert re.search(r"(?m)^mysql\s+REFUSES\b", proc.stdout), proc.stdout
    assert re.search(r"(?m)^influxdb\s+REFUSES\b", proc.stdout), proc.stdout
    assert re.search(r"(?m)^dynamodb\s+healthy\b", proc.stdout), proc.stdout
    errors = proc.stderr.splitlines()
    assert errors[0].startswith("mysql answers but refuses MYSQL_USER/MYSQL_PASSWORD")
    assert errors[1].startswith("influxdb answers but refuses INFLUXDB_TOKEN")
    # Exported in the shell, so .env's value is not even tried: the fix is to unset it.
    assert "INFLUXDB_TOKEN is exported in your shell: `unset INFLUXDB_TOKEN`" in errors[1]
    assert errors[2] == exported_note("INFLUXDB_TOKEN", "MYSQL_PASSWORD")
    assert "Start them with" not in proc.stderr


# --- the documented command lines work as written ---


def test_alembic_command_line_works_in_the_section_and_at_the_root(mysql_conn, mysql_settings):
    run_ok("03", "main.py")  # main.py's create_all() tables must not get in the way
    for cwd in (LESSON / "03", ROOT):
        upgrade = subprocess.run(
            [ALEMBIC, "upgrade", "head"], cwd=cwd, capture_output=True, text=True
        )
        assert upgrade.returncode == 0, upgrade.stderr
        current = subprocess.run([ALEMBIC, "current"], cwd=cwd, capture_output=True, text=True)
        assert current.returncode == 0, current.stderr
        assert current.stdout.strip() == "0003 (head)"
    with mysql_conn.cursor() as cur:
        cur.execute(
            f"SELECT version_num FROM `{mysql_settings['database']}_migrations`.alembic_version"
        )
        assert cur.fetchall() == (("0003",),)


def test_running_without_the_venv_is_explained_in_the_readme(tmp_path):
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", bare], check=True)
    proc = subprocess.run(
        [bare / "bin" / "python", "main.py"], cwd=LESSON / "02", capture_output=True, text=True
    )
    assert proc.returncode != 0
    error = proc.stderr.strip().splitlines()[-1]
    assert error == "ModuleNotFoundError: No module named 'sqlalchemy'"
    troubleshooting = (ROOT / "README.md").read_text().split("## Troubleshooting", 1)[1]
    assert error in troubleshooting and "source .venv/bin/activate" in troubleshooting
