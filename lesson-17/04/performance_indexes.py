#!/usr/bin/env python3
"""Design a key for the question: a global secondary index, against a scan.

Run:   cd lesson-17/04 && python3 performance_indexes.py
Needs: DynamoDB Local (`make services` from the repository root), or real AWS.

advanced_operations.py finds tagged profiles with a scan, which reads every item. Here
the table has an index keyed by tag: a query on it reads only the matching items.
DynamoDB charges reads by size: a query or scan pays for the total size of the items it
reads, matching the filter or not, in 4 KB units (half price when eventually consistent).
"""

import time

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

import settings
from model import Article

TAGS = ["python", "go", "rust", "java", "sql", "aws", "docker", "linux", "web", "data"]
ARTICLES = 500


def fill():
    """500 articles, 50 per tag; batch_write sends them 25 to a request."""
    with Article.batch_write() as batch:
        for n in range(ARTICLES):
            tag = TAGS[n % len(TAGS)]
            batch.save(Article(f"a{n:04d}", tag=tag, title=f"Article {n} about {tag}"))


def main():
    settings.check()
    try:
        if not Article.exists():
            Article.create_table(billing_mode="PAY_PER_REQUEST", wait=True)  # on demand
        fill()
        print(f"{ARTICLES} articles in table 'article', {ARTICLES // len(TAGS)} per tag")

        # [start:scan]
        scan = Article.scan(Article.tag == "python")
        # [end:scan]
        found = sum(1 for _ in scan)
        print(
            f"scan with a filter on tag: {found} found, {scan.page_iter.total_scanned_count} read"
        )

        # A global secondary index is updated after the table, so on AWS a query right
        # after writing may miss the newest items: ask again until all 50 are there.
        # (DynamoDB Local updates it at once; the loop then runs once.)
        for attempt in range(6):
            # [start:query]
            query = Article.by_tag.query("python")
            # [end:query]
            found = sum(1 for _ in query)
            if found == ARTICLES // len(TAGS):
                break
            time.sleep(0.1 * 2**attempt)
        read = query.page_iter.total_scanned_count
        print(f"query on the index tag-index: {found} found, {read} read")
    except (PynamoDBException, ClientError, BotoCoreError) as exc:
        settings.fail(exc)


if __name__ == "__main__":
    main()
