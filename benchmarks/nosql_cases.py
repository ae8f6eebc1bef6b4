"""Benchmark cases on DynamoDB Local and InfluxDB: one write at a time versus batches.

Same contract as sql_cases.py: a path prepares, times only the writes, and returns
(seconds, extra facts).
"""

import time
from datetime import UTC, datetime, timedelta

from influxdb_client import InfluxDBClient, Point, WriteOptions
from influxdb_client.client.write_api import SYNCHRONOUS
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model


def dynamodb_model(settings):
    """A table of its own (bench_item), where section 04's settings say DynamoDB is."""

    class BenchItem(Model):
        class Meta:
            table_name = "bench_item"
            region = settings.REGION
            host = settings.HOST
            aws_access_key_id = settings.KEY
            aws_secret_access_key = settings.SECRET

        item_id = UnicodeAttribute(hash_key=True)
        value = NumberAttribute()

    if not BenchItem.exists():
        BenchItem.create_table(read_capacity_units=100, write_capacity_units=100, wait=True)
    return BenchItem


def dynamodb_save_each(model, count):
    items = [model(f"item{i}", value=i) for i in range(count)]
    started = time.perf_counter()
    for item in items:
        item.save()  # one PutItem request each
    return time.perf_counter() - started, {"requests": count}


def dynamodb_batch_write(model, count):
    items = [model(f"item{i}", value=i) for i in range(count)]
    started = time.perf_counter()
    with model.batch_write() as batch:  # BatchWriteItem, 25 items a request
        for item in items:
            batch.save(item)
    return time.perf_counter() - started, {"requests": -(-count // 25)}


START = datetime(2026, 1, 5, tzinfo=UTC)


def points(count):
    return [
        Point("bench").tag("series", "s1").field("value", i).time(START + timedelta(seconds=i))
        for i in range(count)
    ]


def influx_write_each(client, bucket, count):
    data = points(count)
    write_api = client.write_api(write_options=SYNCHRONOUS)
    started = time.perf_counter()
    for point in data:
        write_api.write(bucket=bucket, record=point)  # one HTTP request each
    return time.perf_counter() - started, {"requests": count}


def influx_write_list(client, bucket, count):
    data = points(count)
    write_api = client.write_api(write_options=SYNCHRONOUS)
    started = time.perf_counter()
    write_api.write(bucket=bucket, record=data)  # a list: one HTTP request
    return time.perf_counter() - started, {"requests": 1}


def influx_batching(client, bucket, count):
    data = points(count)
    options = WriteOptions(batch_size=5_000, flush_interval=10)
    started = time.perf_counter()
    with client.write_api(write_options=options) as write_api:  # leaving it flushes
        write_api.write(bucket=bucket, record=data)
    return time.perf_counter() - started, {"requests": -(-count // 5_000)}


def influx_client(url, token, org):
    return InfluxDBClient(url=url, token=token, org=org, timeout=60_000)
