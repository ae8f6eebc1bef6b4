#!/usr/bin/env python3
"""Many writers, one counter: a lost update, then two ways to lose nothing.

Run:   cd lesson-17/04 && python3 advanced_concurrency.py
Needs: DynamoDB Local (`make services` from the repository root), or real AWS.

Each of 8 threads adds 1 to a page's view count 5 times. A barrier lines the threads
up so that they all read before any of them writes: the race that happens now and
then under real load happens here on every round, so the output is the same each run.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PutError, PynamoDBException

import settings
from model import PageCounter, ViewCounter

THREADS, ROUNDS = 8, 5


def naive(page, barrier):
    """Read, add one, write back: the last writer wins, and the others' work is lost."""
    for _ in range(ROUNDS):
        counter = ViewCounter.get(page)
        barrier.wait()  # everyone has read the same value...
        counter.views += 1
        counter.save()  # ...and writes value + 1
        barrier.wait()


def versioned(page, barrier):
    """The same, but save() fails if someone saved since we read: read again and retry."""
    retries = 0
    for _ in range(ROUNDS):
        barrier.wait()
        # [start:versioned]
        while True:
            counter = PageCounter.get(page)
            counter.views += 1
            try:
                counter.save()  # only if the stored version is still the one we read
                break
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                # [end:versioned]
                retries += 1
    return retries


def atomic(page, barrier):
    """No read at all: DynamoDB adds 1 to the stored value itself (an ADD update)."""
    for _ in range(ROUNDS):
        barrier.wait()
        # [start:atomic]
        ViewCounter(page).update(actions=[ViewCounter.views.add(1)])
        # [end:atomic]


def run(label, writer, model):
    page = f"/{writer.__name__}"
    if model is PageCounter:  # start from 0 each run, at version 1
        PageCounter(page, views=0).save(add_version_condition=False)
    else:
        ViewCounter(page, views=0).save()
    barrier = threading.Barrier(THREADS)
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: writer(page, barrier), range(THREADS)))
    stored = model.get(page).views
    lost = THREADS * ROUNDS - stored
    print(f"{label}: {THREADS * ROUNDS} increments, stored {stored}, lost {lost}")
    return results


def main():
    settings.check()
    try:
        for model in (PageCounter, ViewCounter):
            if not model.exists():
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        run("Read, add, write back", naive, ViewCounter)
        retries = run("With a version attribute", versioned, PageCounter)
        print(f"  conflicts caught and retried: {'yes' if sum(retries) else 'no'}")
        run("With an atomic ADD update", atomic, ViewCounter)
    except (PynamoDBException, ClientError, BotoCoreError) as exc:
        settings.fail(exc)


if __name__ == "__main__":
    main()
