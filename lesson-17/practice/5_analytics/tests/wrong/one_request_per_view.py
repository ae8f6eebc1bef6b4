"""write_page_views writes each view in its own synchronous request: every point is
there, after 400 HTTP round trips where one would do."""

from influxdb_client import Point
from influxdb_client.client.write_api import SYNCHRONOUS

CAUGHT_BY = "test_writes_every_view"


def write_page_views(client, bucket, views):
    write_api = client.write_api(write_options=SYNCHRONOUS)
    for time, page, visitor in views:
        write_api.write(
            bucket, record=Point("pageview").tag("page", page).field("visitor", visitor).time(time)
        )
    return len(views)
