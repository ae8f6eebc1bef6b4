#!/usr/bin/env python3
"""DynamoDB with PynamoDB: create a table if missing, save an item, get it back by key.

Run:   cd lesson-17/04 && python3 main.py
Needs: DynamoDB Local (`make services`, or `docker compose up -d` here), or real AWS
       with DYNAMODB_HOST empty; pip install -r requirements.txt
"""

import sys

from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, TableError

from model import User

START = "Start it with `make services` (or `docker compose up -d` in lesson-17/04)."


def fail(what, exc):
    """One line a student can act on, then a non-zero exit."""
    if isinstance(getattr(exc, "cause", None), EndpointConnectionError):
        sys.exit(f"error: cannot reach DynamoDB at {User.Meta.host}. {START}")
    sys.exit(f"error: {what}: {exc}")


def main():
    try:
        # Create the table if it doesn't exist. A table outlives the script, so
        # only the first run creates it; every run prints the same line.
        if not User.exists():
            User.create_table(read_capacity_units=1, write_capacity_units=1, wait=True)
        print(f"Table {User.Meta.table_name!r} is ready")

        # Create a new user. save() puts the whole item: a second run replaces
        # the item with the same key instead of adding another.
        user = User(email="alice@example.com", name="Alice", age=30)
        user.save()
        print(f"User {user.name} saved successfully!")

        # Query the user back
        try:
            retrieved_user = User.get("alice@example.com")
            print(f"Retrieved user: {retrieved_user.name}, age: {retrieved_user.age}")
        except DoesNotExist:
            sys.exit("error: user alice@example.com not found right after saving it")

    except TableError as e:
        fail("table error", e)
    except PutError as e:
        fail("put error", e)
    except PynamoDBException as e:
        fail("DynamoDB error", e)
    except ClientError as e:  # e.g. credentials DynamoDB does not accept
        fail("AWS error (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in .env)", e)


if __name__ == "__main__":
    main()
