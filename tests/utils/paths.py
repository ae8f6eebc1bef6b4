"""Where things are, and which files under lesson-17/ are lesson code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "lesson-17"
# Folders that hold installed packages, not lesson code: a student following the
# lesson's own steps makes a `.venv` in a section folder.
NOT_LESSON_CODE = {".venv", "venv", "env", "__pycache__", "site-packages", "node_modules"}


def is_environment(folder):
    """A virtual environment, whatever it is called: it has a pyvenv.cfg."""
    return folder.name in NOT_LESSON_CODE or (folder / "pyvenv.cfg").exists()


def lesson_files(base=LESSON):
    """Every .py file of the lesson under `base`, skipping virtual environments."""
    found = []
    for path in sorted(base.rglob("*.py")):
        folders = path.relative_to(base).parents
        if not any(is_environment(base / folder) for folder in folders if str(folder) != "."):
            found.append(path)
    return found


def is_script(path):
    """A lesson file a student runs (the others are modules the scripts import)."""
    return 'if __name__ == "__main__":' in path.read_text()
