"""The compose files: valid, pinned, loopback-only, healthchecked, and in step with .env.example."""

import re
import shutil
import subprocess

import yaml
from dotenv import dotenv_values

from conftest import LESSON, ROOT

EXAMPLE = dotenv_values(ROOT / ".env.example")
SECTIONS = {
    "03": ("mysql", "mysql:8.4"),
    "04": ("dynamodb", None),
    "05": ("influxdb", "influxdb:2.8"),
}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


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
            assert volume.split(":")[0] in doc["volumes"], f"{section}: use named volumes"


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
    assert {"MYSQL_PASSWORD", "MYSQL_DATABASE", "INFLUXDB_TOKEN", "INFLUXDB_ORG"} <= seen


def test_compose_cli_accepts_the_files_when_installed():
    """The YAML checks above always run; the real Compose CLI adds its own where present."""
    if shutil.which("docker") is None:
        return
    version = subprocess.run(["docker", "compose", "version"], capture_output=True)
    if version.returncode != 0:
        return
    proc = subprocess.run(
        ["docker", "compose", "--env-file", ".env.example", "config", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
