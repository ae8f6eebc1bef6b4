"""Exercise 5, an analytics dashboard on InfluxDB: page views in, answers out with Flux.

Write the four functions below. A page view is a point of the measurement "pageview",
tagged with its page, with the visitor's id as the field "visitor". Let Flux do the
counting (count(), group(), window(), distinct()), not Python. Check your work with
`make check EXERCISE=5`.
"""

MEASUREMENT = "pageview"


def write_page_views(client, bucket, views):
    """Write views, a list of (time, page, visitor id), in one request (a synchronous
    write of the whole list); return how many were written."""
    raise NotImplementedError


def views_per_hour(client, bucket, start, stop):
    """{start of the hour (aware UTC datetime): number of views} for [start, stop),
    leaving out hours without views."""
    raise NotImplementedError


def top_pages(client, bucket, start, stop, n=3):
    """The n most viewed pages in [start, stop) as (page, views) tuples, most viewed
    first, ties by page name."""
    raise NotImplementedError


def unique_visitors_per_day(client, bucket, start, stop):
    """{date: number of different visitors that day} for [start, stop)."""
    raise NotImplementedError
