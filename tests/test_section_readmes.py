"""Each section folder explains itself: its README maps the lesson's chapters to every
file there, and says of each script the one-line point `make demo` prints (tasks.DEMO)."""

import re
import subprocess

import pytest

import tasks
from utils.paths import LESSON, ROOT

SECTIONS = ["01", "02", "03", "04", "05"]


def tracked_files(section):
    """The files under lesson-17/<section>, subfolders included, as git tracks them."""
    listed = subprocess.run(
        ["git", "ls-files", f"lesson-17/{section}"], cwd=ROOT, capture_output=True, text=True
    )
    assert listed.returncode == 0 and listed.stdout, f"git lists nothing: {listed.stderr}"
    return sorted(path.split("/", 2)[2] for path in listed.stdout.split())


def table_rows(readme):
    """[(file cell, whole row)] of the README's table: the rows that name files."""
    rows = []
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 3 and cells[0] != "Chapter":
            rows.append((cells[1], line))
    return rows


def unexplained(section, readme):
    """The files the README's table does not name where they belong: a file of the folder
    in the File cell of its row; a file in a subfolder by its name in the row whose File
    cell names that subfolder (so a new migration in 03/migrations/versions/ is seen)."""
    rows = table_rows(readme)
    missing = []
    for path in tracked_files(section):
        if path == "README.md":
            continue
        top, _, rest = path.partition("/")
        if not rest:
            found = any(f"`{top}`" in file_cell for file_cell, _ in rows)
        else:
            name = path.rsplit("/", 1)[1]
            found = any(f"`{top}/`" in cell and f"`{name}`" in row for cell, row in rows)
        if not found:
            missing.append(path)
    return missing


@pytest.mark.parametrize("section", SECTIONS)
def test_the_section_readme_names_every_file_and_each_scripts_point(section):
    readme = (LESSON / section / "README.md").read_text()
    missing = unexplained(section, readme)
    assert not missing, f"lesson-17/{section}/README.md does not say what these are: {missing}"
    for script, point in tasks.DEMO.items():
        if script.startswith(f"{section}/"):
            name = script.split("/")[1]
            row = next(line for line in readme.splitlines() if f"[`{name}`]" in line)
            assert row.endswith(f"| {point} |"), f"{script}: the point differs from tasks.DEMO"


@pytest.mark.parametrize("section", SECTIONS)
def test_the_section_readme_names_only_scripts_that_exist(section):
    """Every command a section README gives (`python3 x.py`, `py tasks.py run NN/x.py`)
    runs a script of that section that exists."""
    readme = (LESSON / section / "README.md").read_text()
    named = set(re.findall(r"python3 (\w+\.py)", readme))
    for target_section, name in re.findall(r"tasks\.py run (\d\d)/(\w+\.py)", readme):
        assert target_section == section, f"{section}/README.md runs {target_section}/{name}"
        named.add(name)
    assert named, f"lesson-17/{section}/README.md shows no command to run a script"
    missing = sorted(name for name in named if not (LESSON / section / name).is_file())
    assert not missing, f"lesson-17/{section}/README.md tells students to run {missing}"


def test_a_file_named_outside_its_row_is_not_explained():
    """Named in prose, or a subfolder's file in another row: it does not count."""
    readme = (LESSON / "03" / "README.md").read_text()
    assert unexplained("03", readme) == []
    moved = readme.replace("[`pitfall_schema.py`](pitfall_schema.py)", "it").replace(
        "| pitfall: no constraints", "| `pitfall_schema.py`, pitfall: no constraints"
    )
    assert unexplained("03", moved) == ["pitfall_schema.py"]
    revision = "0003_drop_duplicate_email_index.py"
    assert unexplained("03", readme.replace(f"`{revision}`", "0003") + f"\n`{revision}`\n") == [
        f"migrations/versions/{revision}"
    ]


def test_one_list_of_scripts_everywhere():
    """tasks.DEMO is the list: it holds every runnable lesson script, the lesson README
    has an output block for each and no other, and the top README names no other."""
    import re

    from utils.paths import is_script, lesson_files

    demo = set(tasks.DEMO)
    scripts = {str(p.relative_to(LESSON)) for p in lesson_files() if is_script(p)}
    assert demo == scripts, (demo ^ scripts, "tasks.DEMO and the lesson's scripts differ")
    blocks = set(re.findall(r"<!-- output: (\d\d/\w+\.py) -->", (LESSON / "README.md").read_text()))
    assert blocks == demo, blocks ^ demo
    table = (ROOT / "README.md").read_text()
    named = {
        f"{section}/{name}"
        for section, rest in re.findall(r"(?m)(?:`|^)\(cd lesson-17/(\d\d) && ([^`\n]+)\)", table)
        for name in re.findall(r"python3 (\w+\.py)", rest)
    }
    assert named and named <= demo, named - demo


PREFIXES = {  # a script's name says the chapter its section README puts it under
    "advanced_": "Advanced patterns",
    "best_": "Best practices",
    "performance_": "Performance",
    "pitfall_": "Common pitfalls",
}


@pytest.mark.parametrize("section", SECTIONS)
def test_each_scripts_name_says_its_chapter(section):
    rows, chapter = {}, None
    for line in (LESSON / section / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if not line.startswith("| ") or len(cells) != 3 or cells[0] == "Chapter":
            continue
        chapter = cells[0].split("](")[0].lstrip("[") or chapter  # blank: the one above
        for name in re.findall(r"\[`([\w.]+\.py)`\]", cells[1]):
            rows[name] = chapter
    for script in (s.split("/")[1] for s in tasks.DEMO if s.startswith(f"{section}/")):
        prefix = next((p for p in PREFIXES if script.startswith(p)), None)
        if prefix:
            assert rows[script] == PREFIXES[prefix], (script, rows[script])
        else:  # the section's own chapter: 01. ..., 02. ...
            assert rows[script].startswith(f"{section}. "), (script, rows[script])
