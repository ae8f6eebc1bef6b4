"""write_page_views uses the batching writer and returns without closing it: the points
wait in its buffer, and InfluxDB holds none of them when the function returns."""

from influxdb_client import Point

CAUGHT_BY = "test_writes_every_view"


def write_page_views(client, bucket, views):
    write_api = client.write_api()  # batching, flushed every second or on close()
    for time, page, visitor in views:
        write_api.write(
            bucket, record=Point("pageview").tag("page", page).field("visitor", visitor).time(time)
        )
    return len(views)
