"""One version of each package: every section's requirements.txt pins what the root one
pins, and names every package its scripts import (directly, or through one it names) or
reach through a database URL (mysql+pymysql:// needs PyMySQL), each with ==."""

import ast
import importlib.metadata as metadata
import re
import sys

import pytest

from utils.paths import LESSON, ROOT

SECTIONS = sorted(p.parent.name for p in LESSON.glob("0[1-5]/requirements.txt"))
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", re.M)


def pins(path):
    return {name.lower(): version for name, version in PIN.findall(path.read_text())}


def needed_by(names):
    """The distributions `names` pull in, themselves included (from installed metadata)."""
    found, todo = set(), list(names)
    while todo:
        name = todo.pop().lower()
        if name in found:
            continue
        found.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:  # for another Python (a marker): not here
            continue
        for requirement in requires:
            if "extra ==" not in requirement:
                todo.append(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])
    return {n.replace("_", "-") for n in found}


def imported_distributions(section):
    folder = LESSON / section
    local = {p.stem for p in folder.glob("*.py")}
    modules = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - local - set(sys.stdlib_module_names)
    owners = metadata.packages_distributions()
    return {owners[m][0].lower().replace("_", "-") for m in third_party}


def test_the_sections_have_their_own_requirements():
    assert SECTIONS == ["02", "03", "04", "05"]


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_pins_what_the_root_pins(section):
    root, own = pins(ROOT / "requirements.txt"), pins(LESSON / section / "requirements.txt")
    assert own, section
    differ = {
        name: (version, root.get(name))
        for name, version in own.items()
        if root.get(name) != version
    }
    assert not differ, f"{section}/requirements.txt (own, root): {differ}"


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_names_every_package_its_scripts_import(section):
    own = pins(LESSON / section / "requirements.txt")
    missing = imported_distributions(section) - needed_by(own)
    assert not missing, f"lesson-17/{section}/requirements.txt lacks {sorted(missing)}"


URL_DRIVER = re.compile(r"[\"'](\w+)\+(\w+)(?::|[\"'])")  # "mysql+pymysql://..." or "mysql+pymysql"


def url_drivers(section):
    """The distributions of the drivers the section's database URLs name (SQLAlchemy's
    dialect says which module it imports), standard library ones left out."""
    from sqlalchemy.dialects import registry

    owners = metadata.packages_distributions()
    found = set()
    for path in (LESSON / section).glob("*.py"):
        for dialect, driver in URL_DRIVER.findall(path.read_text()):
            module = registry.load(f"{dialect}.{driver}").import_dbapi().__name__.split(".")[0]
            if module not in sys.stdlib_module_names:
                found.add(owners[module][0].lower())
    return found


def test_the_drivers_urls_name_are_found():
    assert url_drivers("03") == {"pymysql"}
    assert url_drivers("02") == set()  # sqlite+pysqlite: sqlite3, in the standard library


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_pins_the_driver_its_urls_name(section):
    own = pins(LESSON / section / "requirements.txt")
    missing = url_drivers(section) - set(own)
    assert not missing, f"lesson-17/{section}/requirements.txt lacks {sorted(missing)} with =="


@pytest.mark.parametrize(
    "path", ["requirements.txt", *(f"lesson-17/{s}/requirements.txt" for s in SECTIONS)]
)
def test_every_requirement_is_an_exact_pin(path):
    lines = [line.split("#")[0].strip() for line in (ROOT / path).read_text().splitlines()]
    loose = [line for line in lines if line and not PIN.fullmatch(line)]
    assert not loose, f"{path}: pin these with ==: {loose}"
