"""The project's own tooling (not lesson code): run from the repository root as
`python3 -m tools.NAME`; `make` and tasks.py do it for you."""
