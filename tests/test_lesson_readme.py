"""The lesson README shows, for every script, the output the script really prints.

The comparison happens where each script is run anyway: utils.scripts.run_twice, called as
a student runs the script (no extra settings), checks both runs against the README block.
These tests hold that every script has a block and every block is compared so.
"""

from utils.paths import LESSON, is_script, lesson_files
from utils.scripts import readme_outputs, script_runs_in_tests


def test_every_script_has_its_output_in_the_readme():
    documented = {f"{section}/{script}" for section, script in readme_outputs()}
    scripts = {str(p.relative_to(LESSON)) for p in lesson_files() if is_script(p)}
    assert scripts <= documented, (
        f"no expected output in lesson-17/README.md: {scripts - documented}"
    )


def test_every_documented_output_is_compared_where_its_script_runs():
    compared = {
        (section, script)
        for runner, section, script, as_a_student in script_runs_in_tests()
        if runner == "run_twice" and as_a_student
    }
    missing = sorted(set(readme_outputs()) - compared)
    assert not missing, (
        f"no test runs these with run_twice(section, script), which compares the output "
        f"with lesson-17/README.md: {missing}"
    )
