"""The compose files: valid, pinned, loopback-only, healthchecked, and in step with .env.example."""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from dotenv import dotenv_values

from utils.paths import LESSON, ROOT

EXAMPLE = dotenv_values(ROOT / ".env.example")
SECTIONS = {
    "03": ("mysql", "mysql:8.4"),
    "04": ("dynamodb", None),
    "05": ("influxdb", "influxdb:2.8"),
}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")
REQUIRED = re.compile(r"\$\{(\w+):\?([^}]*)\}")  # a secret: no default, a message instead


def load(path):
    return yaml.safe_load(path.read_text())


def test_top_level_file_includes_each_section_once():
    top = load(ROOT / "docker-compose.yml")
    assert "version" not in top, "the version key is obsolete"
    included = [entry["path"] for entry in top["include"]]
    assert included == [f"lesson-17/{n}/docker-compose.yml" for n in SECTIONS]
    assert all(entry["env_file"] == ".env" for entry in top["include"])
    assert "services" not in top, "services are defined in their sections only"


def test_each_section_service_is_pinned_loopback_and_healthchecked():
    for section, (name, image) in SECTIONS.items():
        doc = load(LESSON / section / "docker-compose.yml")
        assert "version" not in doc
        assert list(doc["services"]) == [name]
        service = doc["services"][name]
        repo, _, tag = service["image"].partition(":")
        assert tag and tag != "latest", f"{section}: pin the image tag"
        if image:
            assert service["image"] == image
        else:
            assert repo == "amazon/dynamodb-local" and re.fullmatch(r"\d+\.\d+\.\d+", tag)
        assert service["ports"], section
        for port in service["ports"]:
            assert port.startswith("127.0.0.1:"), f"{section}: publish on loopback only: {port}"
        check = service["healthcheck"]
        assert check["test"][0] == "CMD-SHELL" and check["test"][1].strip()
        for volume in service.get("volumes", []):
            source, target, *mode = volume.split(":")
            # No bind mount: Docker Desktop gives every mounted file mode 0777 (Windows) or
            # calls it executable (macOS), and the MySQL image then runs an init script
            # as a program instead of sourcing it. The checkout's file modes must not matter.
            assert source in doc["volumes"], f"{section}: data in named volumes only: {volume}"


def test_published_ports_match_the_urls_in_env_example():
    assert EXAMPLE["DYNAMODB_HOST"].endswith(":" + EXAMPLE["DYNAMODB_PORT"])
    assert EXAMPLE["INFLUXDB_URL"].endswith(":" + EXAMPLE["INFLUXDB_PORT"])
    ports = {
        section: load(LESSON / section / "docker-compose.yml")["services"][name]["ports"]
        for section, (name, _) in SECTIONS.items()
    }
    assert ports == {
        "03": ["127.0.0.1:${MYSQL_PORT:-3306}:3306"],
        "04": ["127.0.0.1:${DYNAMODB_PORT:-8000}:8000"],
        "05": ["127.0.0.1:${INFLUXDB_PORT:-8086}:8086"],
    }


def test_every_variable_and_default_agrees_with_env_example():
    seen = set()
    for section in SECTIONS:
        text = (LESSON / section / "docker-compose.yml").read_text()
        for name, default in INTERPOLATION.findall(text):
            seen.add(name)
            assert name in EXAMPLE, f"{section}: ${{{name}}} is not in .env.example"
            assert default == EXAMPLE[name], f"{section}: default of {name} differs"
        for name, message in REQUIRED.findall(text):
            seen.add(name)
            assert name in EXAMPLE and "make install" in message, f"{section}: {name}"
            assert EXAMPLE[name] == "madebymakeinstall", f"{name}: a secret with a default"
    assert {"MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD", "INFLUXDB_ADMIN_TOKEN", "INFLUXDB_ORG"} <= seen


def compose_command():
    """`docker compose`, or the same Compose built by `make compose-cli` where Docker is absent."""
    proc = subprocess.run(
        [sys.executable, "-m", "tools.services.compose_cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    path = proc.stdout.strip()
    return ["docker", "compose"] if path == "docker compose" else [path]


def test_the_real_compose_cli_accepts_every_file():
    compose = compose_command()
    runs = [
        ["--env-file", ".env.example", "config", "--quiet"],
        *(
            [
                "--env-file",
                ".env.example",
                "-f",
                f"lesson-17/{n}/docker-compose.yml",
                "config",
                "--quiet",
            ]
            for n in SECTIONS
        ),  # fmt: skip
    ]
    for args in runs:
        proc = subprocess.run([*compose, *args], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, f"compose {' '.join(args)}: {proc.stderr}"


def test_the_real_compose_cli_resolves_env_example_values():
    proc = subprocess.run(
        [*compose_command(), "--env-file", ".env.example", "config", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    services = json.loads(proc.stdout)["services"]
    mysql_env = services["mysql"]["environment"]
    assert mysql_env["MYSQL_ROOT_PASSWORD"] == EXAMPLE["MYSQL_ROOT_PASSWORD"]
    assert (mysql_env["MYSQL_USER"], mysql_env["MYSQL_PASSWORD"]) == (
        EXAMPLE["MYSQL_USER"],
        EXAMPLE["MYSQL_PASSWORD"],
    )
    influx_env = services["influxdb"]["environment"]
    assert influx_env["DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"] == EXAMPLE["INFLUXDB_ADMIN_TOKEN"]
    published = {
        name: (port["host_ip"], port["published"])
        for name, service in services.items()
        for port in service["ports"]
    }
    assert published == {
        "mysql": ("127.0.0.1", EXAMPLE["MYSQL_PORT"]),
        "dynamodb": ("127.0.0.1", EXAMPLE["DYNAMODB_PORT"]),
        "influxdb": ("127.0.0.1", EXAMPLE["INFLUXDB_PORT"]),
    }


def test_one_section_alone_reads_the_root_env_as_its_comment_says(tmp_path):
    """`cd lesson-17/03 && docker compose --env-file ../../.env up -d`, checked with config."""
    env = tmp_path / ".env"
    env.write_text(
        (ROOT / ".env.example").read_text()
        + "MYSQL_ROOT_PASSWORD=changed-in-root-env\n"  # pragma: allowlist secret
        + "INFLUXDB_ADMIN_TOKEN=changed-token\nDYNAMODB_PORT=8001\n"  # pragma: allowlist secret
    )
    expected = {
        "03": ("mysql", ["environment", "MYSQL_ROOT_PASSWORD"], "changed-in-root-env"),
        "04": ("dynamodb", ["ports", 0, "published"], "8001"),
        "05": ("influxdb", ["environment", "DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"], "changed-token"),
    }
    for section, (name, keys, value) in expected.items():
        folder = LESSON / section
        assert (
            "docker compose --env-file ../../.env up -d"
            in (folder / "docker-compose.yml").read_text()
        )
        proc = subprocess.run(
            [*compose_command(), "--env-file", env, "config", "--format", "json"],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        found = json.loads(proc.stdout)["services"][name]
        for key in keys:
            found = found[key]
        assert found == value, section


def test_without_the_root_env_a_section_refuses_instead_of_using_a_public_password(tmp_path):
    """`cd lesson-17/03 && docker compose up -d` without --env-file: no secret has a
    default any more, so Compose stops and says what to run."""
    for section in ("03", "05"):
        proc = subprocess.run(
            [*compose_command(), "config", "--quiet"],
            cwd=LESSON / section,
            env={k: v for k, v in os.environ.items() if k not in EXAMPLE},
            capture_output=True,
            text=True,
        )
        assert proc.returncode != 0
        # The root .env exists (make install wrote it): what is missing is --env-file.
        assert (
            "is missing a value: is not set here: add --env-file ../../.env (the root .env, "
            "which make install writes)" in proc.stderr
        ), proc.stderr
        advised = subprocess.run(
            [*compose_command(), "--env-file", "../../.env", "config", "--quiet"],
            cwd=LESSON / section,
            env={k: v for k, v in os.environ.items() if k not in EXAMPLE},
            capture_output=True,
            text=True,
        )
        assert advised.returncode == 0, advised.stderr


def test_no_compose_file_says_what_influxdb_latest_is_today():
    """`latest` is still InfluxDB 2 in the official images' library (lesson README, Traps):
    a comment saying it is InfluxDB 3 contradicted both, and will be wrong again one day."""
    for path in (ROOT / "lesson-17").glob("0[3-5]/docker-compose.yml"):
        assert not re.search(r"latest`? is InfluxDB", path.read_text()), path


def test_apple_silicon_gets_dynamodb_local_as_x86_64_with_rosetta_spelled_out():
    """amazon/dynamodb-local is x86-64 only: its platform is explicit, with what an
    M-series Mac needs next to it; mysql:8.4 and influxdb:2.8 are multi-arch, so native."""
    text = (LESSON / "04" / "docker-compose.yml").read_text()
    assert load(LESSON / "04" / "docker-compose.yml")["services"]["dynamodb"]["platform"] == (
        "linux/amd64"
    )
    assert "Use Rosetta for x86_64/amd64 emulation on Apple Silicon" in text
    for section in ("03", "05"):
        (service,) = load(LESSON / section / "docker-compose.yml")["services"].values()
        assert "platform" not in service, section
    readme = " ".join((ROOT / "README.md").read_text().split())  # one line, as rendered
    assert "Use Rosetta for x86_64/amd64 emulation on Apple Silicon" in readme


# What the tools write into .env (tools/services/env_settings.write_env_setting, through
# python-dotenv's set_key), each through a setting that reaches a container's environment.
WRITTEN = {
    "MYSQL_ROOT_PASSWORD": ("mysql", "MYSQL_ROOT_PASSWORD", "a #not-a-comment"),
    "MYSQL_PASSWORD": ("mysql", "MYSQL_PASSWORD", "it's"),
    "MYSQL_USER": ("mysql", "MYSQL_USER", ' say "hi" '),
    "INFLUXDB_PASSWORD": ("influxdb", "DOCKER_INFLUXDB_INIT_PASSWORD", "x$y and $$"),
    "INFLUXDB_ADMIN_TOKEN": ("influxdb", "DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", "b64+/token=="),
}


def test_what_the_tools_write_into_env_reads_the_same_in_python_dotenv_and_compose(
    tmp_path, monkeypatch
):
    """A `#`, a quote, spaces and `$` survive both readers; the file keeps its comments and
    its owner, and is private; what would read differently (a backslash, `${`, a line
    break) is refused unwritten."""
    from tools.services import common, env_settings

    monkeypatch.setattr(env_settings, "ROOT", tmp_path)
    env = tmp_path / ".env"
    env.write_text((ROOT / ".env.example").read_text())
    env.chmod(0o644)
    owner = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(env, *owner)  # as root: a user's .env, as under `sudo make services`
    for name, (_, _, value) in WRITTEN.items():
        env_settings.write_env_setting(name, value)
    for value in ("back\\slash", "${HOME}", "two\nlines"):
        with pytest.raises(common.Fail):
            env_settings.write_env_setting("INFLUXDB_TOKEN", value)
    assert env.stat().st_mode & 0o777 == 0o600
    assert (env.stat().st_uid, env.stat().st_gid) == owner
    text = env.read_text()
    assert text.startswith("# Settings of the lesson's database servers")
    assert "INFLUXDB_TOKEN=\n" in text  # untouched by the refused values
    read = dotenv_values(env)
    assert {name: read[name] for name in WRITTEN} == {n: v for n, (_, _, v) in WRITTEN.items()}
    proc = subprocess.run(
        [*compose_command(), "--env-file", env, "config", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    services = json.loads(proc.stdout)["services"]
    composed = {
        name: services[service]["environment"][variable].replace("$$", "$")
        for name, (service, variable, _) in WRITTEN.items()
    }
    assert composed == {n: v for n, (_, _, v) in WRITTEN.items()}
