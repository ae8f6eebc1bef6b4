#!/usr/bin/env python3
"""Draw the hour write.py wrote: each sensor's readings, and query.py's 15-minute means.

Run:   cd lesson-17/05 && python3 write.py && python3 plot.py
Needs: InfluxDB 2 (`make services` from the repository root); matplotlib.
Writes sensors.png here (matplotlib's Agg backend: no display needed).
"""

import json
import sys
from collections import defaultdict
from datetime import timedelta
from statistics import fmean

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from settings import bucket, connect, run  # noqa: E402

RAW = """
from(bucket: bucket)
  |> range(start: 2026-01-01T08:00:00Z, stop: 2026-01-01T09:00:00Z)
  |> filter(fn: (r) => r._measurement == "environment")
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["sensor", "_time"])
"""
FIELDS = {"temperature": "°C", "humidity": "%"}
TARGET = "sensors.png"


def series(client, flux):
    """{sensor: {"time": [...], "temperature": [...], "humidity": [...]}} from a Flux query."""
    found = defaultdict(lambda: defaultdict(list))
    for table in client.query_api().query(flux, params={"bucket": bucket()}):
        for record in table.records:
            row = found[record.values["sensor"]]
            row["time"].append(record.values["_time"])
            for field in FIELDS:
                row[field].append(record.values[field])
    return found


# [start:styles]
# Each sensor has its own line style and marker as well as its colour, so the chart
# reads the same in grey, on a projector, or for a reader who does not see colour.
STYLES = {"garage": ("-", "o"), "greenhouse": ("--", "s"), "kitchen": (":", "^")}


def draw_sensor(ax, field, sensor, row, mean):
    style, marker = STYLES.get(sensor, ("-", "x"))
    line = ax.plot(
        row["time"],
        row[field],
        label=sensor,
        linestyle=style,
        linewidth=1.2,
        marker=marker,
        markevery=(7, 15),
        fillstyle="none",
    )[0]
    # Each mean holds for its window: a thick step to the window's end, a marker at its start.
    ax.step(
        [*mean["time"], mean["time"][-1] + timedelta(minutes=15)],
        [*mean[field], mean[field][-1]],
        where="post",
        color=line.get_color(),
        linewidth=3,
        alpha=0.5,
    )
    ax.plot(mean["time"], mean[field], marker, color=line.get_color(), markersize=7)
    # [end:styles]


def window_means(row):
    """The 15-minute means query.py asks InfluxDB for, from the readings already here."""
    windows = defaultdict(lambda: defaultdict(list))
    for i, when in enumerate(row["time"]):
        start = when.replace(minute=when.minute - when.minute % 15, second=0, microsecond=0)
        for field in FIELDS:
            windows[start][field].append(row[field][i])
    starts = sorted(windows)
    return {"time": starts, **{f: [fmean(windows[s][f]) for s in starts] for f in FIELDS}}


def draw(raw, means):
    fig, axes = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    for ax, (field, unit) in zip(axes, FIELDS.items(), strict=True):
        for sensor, row in sorted(raw.items()):
            draw_sensor(ax, field, sensor, row, means[sensor])
        ax.set_ylabel(f"{field} ({unit})")
        ax.grid(alpha=0.3)
    # The legend goes beside the plots, not over the first minutes of the lines.
    axes[0].legend(
        title="sensor\n(thick steps: 15-minute means)",
        fontsize=9,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    axes[0].set_title(f"Bucket '{bucket()}', 2026-01-01 08:00-09:00 UTC")
    axes[1].set_xlabel("time (UTC), 2026-01-01")
    axes[1].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))  # not "01 08:00"
    fig.tight_layout()
    # The plotted values go into the PNG too, so that a test can compare them with the server.
    data = {s: {f: row[f] for f in FIELDS} for s, row in sorted(raw.items())}
    fig.savefig(TARGET, dpi=80, metadata={"Description": json.dumps(data)})
    plt.close(fig)


def main():
    with connect() as client:
        raw = series(client, RAW)
    if not raw:
        sys.exit(
            f"error: no data in bucket {bucket()!r} for that hour: run `{run('write.py')}` first"
        )
    means = {sensor: window_means(row) for sensor, row in raw.items()}
    draw(raw, means)
    readings = sum(len(row["time"]) for row in raw.values())
    windows = sum(len(row["time"]) for row in means.values())
    print(f"Wrote {TARGET}: {len(raw)} sensors, {readings} readings, {windows} 15-minute means")


if __name__ == "__main__":
    main()
