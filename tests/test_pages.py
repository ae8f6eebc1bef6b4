"""The pages a reader moves between: every relative link lands on a file and heading that
exist, and the top README stays a student's first page."""

import re
import subprocess

from utils.paths import ROOT


def pages():
    """The tracked Markdown files (git's list, so no virtualenv's or cache's)."""
    listed = subprocess.run(
        ["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed]


def anchors(text):
    """The ids GitHub gives a page's headings: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # a # in a code block is no heading
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", text, re.M)
    }


def test_every_relative_link_lands():
    broken = []
    for page in pages():
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(ROOT)}: {target}"
            if not dest.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text()):
                broken.append(f"{where} (no such heading)")
    assert not broken, "links that land nowhere:\n" + "\n".join(broken)


def test_the_top_readme_is_a_first_page():
    """Two screens: what this is, the quick start, the routes, the lesson, the common
    problems. The rest lives in docs/ and the lesson's appendix."""
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 100, "README.md is longer than two screens"
    headings = re.findall(r"^## (.+)$", readme, re.M)
    assert headings == ["Quick start", "Three routes", "Troubleshooting"], headings
    assert "](lesson-17/README.md)" in readme
