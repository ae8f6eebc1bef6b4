"""The sample hour of section 05: three sensors, one reading a minute.
write.py writes it; query.py, plot.py and performance_downsample.py read it.

Importing contacts no server.
"""

import math
from datetime import UTC, datetime, timedelta

# A fixed hour: a point is identified by measurement, tags and timestamp, so writing
# the same points again overwrites them instead of adding new ones.
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
MINUTES = 60
SENSORS = {"greenhouse": (24.0, 70.0), "kitchen": (21.0, 45.0), "garage": (12.0, 60.0)}


def values(start=START):
    """(sensor, time, temperature, humidity) for each minute: deterministic readings
    around each sensor's base value. write.py turns them into points."""
    for sensor, (temperature, humidity) in SENSORS.items():
        for minute in range(MINUTES):
            wave = math.sin(2 * math.pi * minute / MINUTES)
            when = start + timedelta(minutes=minute)
            yield sensor, when, round(temperature + 2 * wave, 2), round(humidity - 5 * wave, 2)
