"""The sample hour of section 05: three sensors, one reading a minute, and the query of
its 15-minute means. write.py writes it; query.py, plot.py and performance_downsample.py read it.

Importing contacts no server.
"""

import math
from datetime import UTC, datetime, timedelta

from influxdb_client import Point

# A fixed hour: a point is identified by measurement, tags and timestamp, so writing
# the same points again overwrites them instead of adding new ones.
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
MINUTES = 60
SENSORS = {"greenhouse": (24.0, 70.0), "kitchen": (21.0, 45.0), "garage": (12.0, 60.0)}


def readings(start=START):
    """Deterministic temperature and humidity around each sensor's base value."""
    for sensor, (temperature, humidity) in SENSORS.items():
        for minute in range(MINUTES):
            wave = math.sin(2 * math.pi * minute / MINUTES)
            yield (
                Point("environment")
                .tag("sensor", sensor)
                .field("temperature", round(temperature + 2 * wave, 2))
                .field("humidity", round(humidity - 5 * wave, 2))
                .time(start + timedelta(minutes=minute))
            )


# The hour write.py fills, in 15-minute windows. aggregateWindow stamps each mean with
# its window's end by default; timeSrc: "_start" stamps it with the start, so the mean
# of 08:00-08:15 reads 08:00, as a person reads a table.
MEANS = """
from(bucket: bucket)
  |> range(start: 2026-01-01T08:00:00Z, stop: 2026-01-01T09:00:00Z)
  |> filter(fn: (r) => r._measurement == "environment")
  |> filter(fn: (r) => r._field == "temperature" or r._field == "humidity")
  |> aggregateWindow(every: 15m, fn: mean, createEmpty: false, timeSrc: "_start")
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["sensor", "_time"])
"""
