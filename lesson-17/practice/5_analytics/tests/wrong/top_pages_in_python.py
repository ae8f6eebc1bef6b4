"""top_pages lets Flux count per page but ranks and cuts in Python: every page's count
travels to keep three."""

CAUGHT_BY = "test_top_pages"


def top_pages(client, bucket, start, stop, n=3):
    flux = """
  |> group(columns: ["page"])
  |> count()
  |> group()
"""
    counts = [(row["page"], row["_value"]) for row in rows(client, flux, bucket, start, stop)]  # noqa: F821
    return sorted(counts, key=lambda pc: (-pc[1], pc[0]))[:n]
