"""top_pages sorts by views and by page both descending: pages with as many views come
Z to A, where the contract says by page name (A to Z)."""

CAUGHT_BY = "test_generated_views_match_the_reference"


def top_pages(client, bucket, start, stop, n=3):
    flux = """
  |> group(columns: ["page"])
  |> count()
  |> group()
  |> sort(columns: ["_value", "page"], desc: true)
  |> limit(n: n)
"""
    found = rows(client, flux, bucket, start, stop, n=n)  # noqa: F821
    return [(row["page"], row["_value"]) for row in found]
