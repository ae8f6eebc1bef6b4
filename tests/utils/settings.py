"""The settings the scripts see: .env.example's defaults, then .env, then the environment."""

import os

from dotenv import dotenv_values

from utils.paths import ROOT

SETTINGS = {
    **dotenv_values(ROOT / ".env.example"),
    **dotenv_values(ROOT / ".env"),
}
SETTINGS.update({k: v for k, v in os.environ.items() if k in SETTINGS})

START = "make services"
CLOSED_PORT = "1"  # nothing listens on port 1 of the loopback address
