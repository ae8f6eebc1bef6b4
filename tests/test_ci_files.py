"""GitHub Actions and the dev container, checked with the real Compose CLI
(actionlint checks the workflows in `make lint`)."""

import json
import re
import subprocess

import yaml

from utils.paths import ROOT


def plan(*args):
    """What `make X` (through tasks.py) would run, without running it."""
    proc = subprocess.run(
        ["python3", "tasks.py", "-n", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_lint_checks_the_workflows_with_actionlint():
    """actionlint runs in `make lint` (it needs Go, which `make test` must not); the
    tool itself first makes sure actionlint rejects a broken workflow."""
    commands = [line.split() for line in plan("lint").splitlines()]
    assert [".venv/bin/python", "-m", "tools.actionlint"] in [
        [c[0].removeprefix(str(ROOT) + "/"), *c[1:]] for c in commands
    ], commands


def test_ci_runs_make_test_on_three_pythons_as_a_laptop_and_natively():
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    jobs = ci["jobs"]
    assert set(ci[True]) == {"push", "pull_request"}  # YAML reads the key `on` as True
    assert jobs["compose"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert jobs["native"]["env"]["SERVICES_ENGINE"] == "native"
    linux = {name: job for name, job in jobs.items() if name != "other-os"}
    for job in linux.values():
        assert job["runs-on"] == "ubuntu-latest"
        assert any("make test" in step.get("run", "") for step in job["steps"])
        for step in job["steps"]:
            assert "services:" not in json.dumps(step)  # servers start in steps (make test)
    assert any("actions/cache" in step.get("uses", "") for step in jobs["native"]["steps"])
    assert "make lint" in [step.get("run") for step in jobs["native"]["steps"]]
    # The laptop: Docker chosen by itself, with no database tool, Go or Java to fall back on.
    laptop = jobs["laptop"]
    assert "SERVICES_ENGINE" not in laptop.get("env", {})
    hide = next(step["run"] for step in laptop["steps"] if "off PATH" in step.get("name", ""))
    for tool in ("mysql", "mysqld", "mariadb", "go", "java", "node"):
        assert f" {tool} " in f" {hide.split(';')[0]} ", tool
    runs = [step.get("run", "") for step in laptop["steps"]]
    assert any("make demo" in run and "make test" in run for run in runs)


def test_ci_takes_the_first_steps_on_windows_and_macos_with_tasks_py():
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    job = ci["jobs"]["other-os"]
    assert job["strategy"]["matrix"]["os"] == ["windows-latest", "macos-latest"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    for command in ("install", "doctor", "run 01/main.py", "run 02/main.py"):
        assert f"python tasks.py {command}" in runs, command
    assert "Scripts/python.exe" in runs and "-m pytest" in runs
    for step in job["steps"]:  # pwsh fails a step on its last command's exit code only
        if "run" in step and step.get("shell") != "bash":
            assert len(step["run"].strip().splitlines()) == 1, step["name"]
    # Sections 01 and 02 run in whole: their own test files, not filtered by a -k.
    pytest_runs = [line for line in runs.replace("\\\n", " ").splitlines() if "-m pytest" in line]
    first = next(run for run in pytest_runs if "test_01_sqlite.py" in run)
    assert "test_02_sqlalchemy_sqlite.py" in first and " -k " not in first


def test_ci_uses_each_action_at_its_current_major():
    """Checked against each action's releases (issue 22): checkout v7, setup-python v7,
    setup-go v7, setup-java v6, cache v6."""
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    used = set(re.findall(r"uses: (actions/[\w-]+@v\d+)", text))
    assert used == {"actions/checkout@v7", "actions/setup-python@v7", "actions/setup-go@v7",
                    "actions/setup-java@v6", "actions/cache@v6"}  # fmt: skip


def jsonc(text):
    """JSON with // comments, as dev containers allow (no comment markers inside strings here)."""
    return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))


def test_dev_container_is_a_laptop_with_docker_and_python():
    """Codespaces and VS Code get the Docker path a laptop takes: a devcontainers Python
    image with Python 3.11+, its own Docker engine, and `make services` at every start."""
    config = jsonc((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    # A maintained tag: not the frozen `1-` image line, which gets no more builds.
    image = re.fullmatch(
        r"mcr\.microsoft\.com/devcontainers/python:3\.(\d+)-bookworm", config["image"]
    )
    assert image and int(image.group(1)) >= 11, config["image"]
    assert config["containerEnv"] == {"SERVICES_ENGINE": "docker"}  # never native there
    assert any("features/docker-in-docker:" in name for name in config["features"])
    assert config["postCreateCommand"] == "make install"
    assert config["postStartCommand"] == "make services"
    assert "dockerComposeFile" not in config  # servers come from the root compose file and .env
    assert config["forwardPorts"] == [3306, 8000, 8086]


def test_ci_runs_what_the_readme_asks_before_a_pull_request():
    """.ci/run is `make lint` then `make test`, the README's `make lint test`."""
    steps = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip().startswith("make ")
    ]
    assert steps == ["make lint", "make test"]
    assert "Before a pull request: `make lint test`" in (ROOT / "README.md").read_text()
