"""The lesson README shows, for every script, its key lines and the output it really prints.

The comparison happens where each script is run anyway: utils.scripts.run_twice, called as
a student runs the script (no extra settings), checks both runs against the README block.
These tests hold that every script has a block; that every block was compared so is
checked at the end of `make test`, on what run_twice noted (utils/record.py). The code
the README shows is a region the script marks (`# [start:name]` ... `# [end:name]`): the
page and the script cannot drift apart.
"""

import textwrap

from utils.paths import LESSON, is_script, lesson_files
from utils.scripts import readme_code, readme_outputs, regions


def marked_regions():
    """{(file, region): code} over every lesson file outside practice/."""
    return {
        (str(path.relative_to(LESSON)), name): code
        for path in lesson_files()
        if "practice" not in path.parts
        for name, code in regions(path).items()
    }


def test_every_code_block_is_the_region_its_script_marks():
    marked = marked_regions()
    shown = readme_code()
    assert shown, "lesson-17/README.md shows no ```python block with a <!-- code: --> line"
    for file, name, code in shown:
        assert (file, name) in marked, f"lesson-17/README.md shows {file}#{name}: no such region"
        assert code == marked[(file, name)], (
            f"lesson-17/README.md's block for {file}#{name} differs from the script's region"
        )


def test_every_region_is_on_the_page_and_every_script_shows_one():
    shown = {(file, name) for file, name, _ in readme_code()}
    unshown = sorted(set(marked_regions()) - shown)
    assert not unshown, (
        f"regions marked in a script but not shown in lesson-17/README.md: {unshown}"
    )
    scripts = {str(p.relative_to(LESSON)) for p in lesson_files() if is_script(p)}
    without = sorted(scripts - {file for file, _ in shown})
    assert not without, f"scripts whose key lines lesson-17/README.md does not show: {without}"


def test_the_02_to_03_change_is_the_url_alone():
    """03/main.py is 02's code on MySQL: 02's session code is in 03 word for word, and
    the engine is where they differ."""
    lesson02, lesson03 = regions(LESSON / "02" / "main.py"), regions(LESSON / "03" / "main.py")
    session = textwrap.indent(lesson02["session"], "    ", lambda line: line.strip())
    assert session in (LESSON / "03" / "main.py").read_text(), (
        "03/main.py no longer holds 02/main.py's session code word for word"
    )
    assert "URL.create(" in lesson03["engine"] and "URL.create(" not in lesson02["engine"]


def test_every_script_has_its_output_in_the_readme():
    documented = {f"{section}/{script}" for section, script in readme_outputs()}
    scripts = {str(p.relative_to(LESSON)) for p in lesson_files() if is_script(p)}
    assert scripts <= documented, (
        f"no expected output in lesson-17/README.md: {scripts - documented}"
    )


def test_every_output_fits_a_projector():
    """80 columns: what a projector or a half-screen terminal shows without wrapping."""
    wide = [
        f"{section}/{script}: {len(line)} columns: {line}"
        for (section, script), output in readme_outputs().items()
        for line in output.splitlines()
        if len(line) > 80
    ]
    assert not wide, "output lines wider than 80 columns:\n" + "\n".join(wide)
