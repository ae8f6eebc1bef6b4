"""top_pages cuts to n before it sorts: it ranks whichever n pages came first, not the
n most viewed."""

CAUGHT_BY = "test_generated_views_match_the_reference"


def top_pages(client, bucket, start, stop, n=3):
    flux = """
  |> group(columns: ["page"])
  |> count()
  |> group()
  |> limit(n: n)
  |> sort(columns: ["page"])
  |> sort(columns: ["_value"], desc: true)
"""
    found = rows(client, flux, bucket, start, stop, n=n)  # noqa: F821
    return [(row["page"], row["_value"]) for row in found]
