"""What the session really did: each lesson script run twice as a student runs it, and
each lesson README block compared with such a run (utils.scripts.run_twice notes both).

Every test process keeps its own notes; a parallel worker hands them to the controller
when it ends (tests/conftest.py). `make test` runs two sessions (the parallel part, then
the tests marked `alone`): each adds its notes to one file (--record-runs), and the
second checks the whole file (--check-runs). A run of a few tests checks nothing, as it
runs only some scripts by design.
"""

import json

RAN = "run twice as a student"  # both runs succeeded and printed the same
COMPARED = "compared with its README block"  # lesson-17/README.md shows what it printed
NOTES = set()  # {(kind, "05/query.py"), ...}: this process's


def note(kind, section, script):
    NOTES.add((kind, f"{section}/{script}"))


def add(notes):
    """Notes from elsewhere (a worker's, as lists after the trip) into this process's."""
    NOTES.update(tuple(n) for n in notes)


def append_to(path):
    """Add this process's notes to the file (one JSON list per line)."""
    with open(path, "a") as out:
        out.writelines(json.dumps(list(n)) + "\n" for n in sorted(NOTES))


def read(path):
    return {tuple(json.loads(line)) for line in open(path) if line.strip()}


def gaps(notes, scripts, blocks):
    """What the notes lack: each of `scripts` ("05/query.py", as tasks.DEMO) run twice as a
    student, each README block of `blocks` compared. Empty: the runs proved it all."""
    wanted = [(RAN, script) for script in scripts] + [(COMPARED, block) for block in blocks]
    return [f"{script}: not {kind}" for kind, script in wanted if (kind, script) not in notes]
