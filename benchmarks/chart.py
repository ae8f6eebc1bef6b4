"""bench.png: one panel per case, drawn with matplotlib's Agg backend (no display needed)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TITLES = {
    "inserts": "Inserts: rows per second (log)",
    "index": "Lookup by email: time per lookup vs table size",
    "n+1": "Loading users with their addresses",
    "pooling": "Queries: new connection each vs a pool",
    "dynamodb": "DynamoDB Local: items per second",
    "influxdb": "InfluxDB: points per second",
}


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def bars(ax, labels, values, text):
    positions = range(len(labels))
    ax.barh(positions, values, color="#4c72b0")
    ax.set_yticks(list(positions), labels, fontsize=12)
    ax.invert_yaxis()
    for y, (value, note) in enumerate(zip(values, text, strict=True)):
        ax.text(value, y, f" {note}", va="center", fontsize=11)
    ax.margins(x=0.35)


def draw(report, target):
    results = report["results"]
    fig, axes = plt.subplots(3, 2, figsize=(16, 14))  # read from the back of a classroom
    for ax, (case, title) in zip(axes.flat, TITLES.items(), strict=True):
        ax.set_title(title, fontsize=14)
        ax.tick_params(labelsize=11)
        rows = [r for r in results if r["case"] == case]
        if not rows:  # a run of some cases only (bench.py --case)
            ax.text(0.5, 0.5, "not measured in this run", ha="center", fontsize=12)
            ax.axis("off")
            continue
        if case == "index":
            for path, marker in (("no index", "o"), ("index on email", "s")):
                line = [r for r in rows if r["path"] == path]
                sizes = [r["size"] for r in line]
                times = [r["seconds_median"] * 1000 for r in line]
                ax.plot(sizes, times, marker=marker, label=path)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("rows in the table", fontsize=12)
            ax.set_ylabel("ms per lookup", fontsize=12)
            ax.legend(fontsize=12)
            continue
        labels = [f"{r['engine']}: {r['path']}" if case == "inserts" else r["path"] for r in rows]
        values = [r["rate"] for r in rows]
        notes = [f"{r['vs_naive']:.1f}×" for r in rows]
        if case == "n+1":
            notes = [
                f"{n}, {plural(r['statements'], 'statement')}"
                for n, r in zip(notes, rows, strict=True)
            ]
        if case == "pooling":
            notes = [
                f"{n}, {plural(r['connections'], 'login')}"
                for n, r in zip(notes, rows, strict=True)
            ]
        bars(ax, labels, values, notes)
        if case == "inserts":
            ax.set_xscale("log")
        ax.set_xlabel(f"{rows[0]['unit']} per second" if rows else "", fontsize=12)
    machine = report["machine"]
    fig.suptitle(
        f"make bench, {report['date'][:10]}: {machine['cpus']} CPUs, Python {machine['python']}"
        " (× = speed-up over the naive path, measured in the same run)",
        fontsize=14,
    )
    fig.tight_layout()
    fig.savefig(target, dpi=80)
    plt.close(fig)
