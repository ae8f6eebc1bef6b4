"""GitHub Actions and the dev container: checked with the real actionlint and Compose CLI."""

import json
import re
import subprocess
import sys

import yaml
from test_compose import compose_command

from utils.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint():
    """The real actionlint, built once from the Go module proxy (tools/actionlint.py)."""
    proc = subprocess.run(
        [sys.executable, "tools/actionlint.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_every_workflow_passes_actionlint():
    assert WORKFLOWS, "no workflow in .github/workflows"
    proc = subprocess.run([actionlint(), *WORKFLOWS], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_does_reject_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ matrix.nothing }}\n"
    )
    proc = subprocess.run([actionlint(), broken], capture_output=True, text=True)
    assert proc.returncode == 1 and "matrix" in proc.stdout


def test_ci_runs_make_test_on_three_pythons_and_natively():
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    jobs = ci["jobs"]
    assert set(ci[True]) == {"push", "pull_request"}  # YAML reads the key `on` as True
    assert jobs["compose"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert jobs["native"]["env"]["SERVICES_ENGINE"] == "native"
    for job in jobs.values():
        assert job["runs-on"] == "ubuntu-latest"
        assert "make test" in [step.get("run") for step in job["steps"]]
        for step in job["steps"]:
            assert "services:" not in json.dumps(step)  # servers start in steps (make test)
    assert any("actions/cache" in step.get("uses", "") for step in jobs["native"]["steps"])


def jsonc(text):
    """JSON with // comments, as dev containers allow (no comment markers inside strings here)."""
    return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))


def test_dev_container_reuses_the_section_compose_files_on_localhost():
    folder = ROOT / ".devcontainer"
    config = jsonc((folder / "devcontainer.json").read_text())
    files = [folder / f for f in config["dockerComposeFile"]]
    assert [f.resolve() for f in files[:3]] == [
        ROOT / "lesson-17" / n / "docker-compose.yml" for n in ("03", "04", "05")
    ]
    assert config["forwardPorts"] == [3306, 8000, 8086]
    assert "make install" in config["postCreateCommand"]
    args = [a for f in files for a in ("-f", str(f))]
    proc = subprocess.run(
        [*compose_command(), *args, "config", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    services = json.loads(proc.stdout)["services"]
    assert config["service"] in services and set(config["runServices"]) == set(services)
    for name in ("mysql", "dynamodb", "influxdb"):
        assert services[name]["network_mode"] == f"service:{config['service']}"
        assert not services[name].get("ports"), f"{name}: no published port in the dev container"
    (volume,) = services[config["service"]]["volumes"]
    assert volume["source"] == str(ROOT) and volume["target"] == config["workspaceFolder"]
