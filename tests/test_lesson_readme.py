"""The lesson README shows, for every script, the output the script really prints."""

import re

from utils.paths import LESSON, is_script, lesson_files
from utils.scripts import run_script

BLOCK = re.compile(r"<!-- output: (\d\d)/(\w+\.py) -->\n```text\n(.*?)```", re.S)


def documented_outputs():
    return BLOCK.findall((LESSON / "README.md").read_text())


def test_every_script_has_its_output_in_the_readme():
    documented = {f"{section}/{script}" for section, script, _ in documented_outputs()}
    scripts = {str(p.relative_to(LESSON)) for p in lesson_files() if is_script(p)}
    assert scripts <= documented, (
        f"no expected output in lesson-17/README.md: {scripts - documented}"
    )


def test_each_documented_output_is_what_the_script_prints(mysql_conn, dynamodb, influx):
    # In README order, as a reader goes: 05/write.py runs before 05/query.py.
    for section, script, expected in documented_outputs():
        result = run_script(section, script)
        assert result.returncode == 0, f"{section}/{script}: {result.stderr}"
        assert result.stdout == expected, (
            f"lesson-17/README.md is out of date for {section}/{script}"
        )
