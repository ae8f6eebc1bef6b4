"""The lesson's three database servers: `python3 -m tools.services up|down|status|...`
(README.md in this folder lists each file's job)."""
