"""write_page_views writes each time to the second (WritePrecision.S): two views of one
page in the same second are the same point, and one of them is lost."""

from influxdb_client import Point, WritePrecision
from influxdb_client.client.write_api import SYNCHRONOUS

CAUGHT_BY = "test_writes_every_view"


def write_page_views(client, bucket, views):
    points = [
        Point(MEASUREMENT).tag("page", page).field("visitor", visitor).time(time, WritePrecision.S)  # noqa: F821
        for time, page, visitor in views
    ]
    client.write_api(write_options=SYNCHRONOUS).write(
        bucket=bucket, record=points, write_precision=WritePrecision.S
    )
    return len(points)
