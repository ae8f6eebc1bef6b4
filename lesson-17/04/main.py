#!/usr/bin/env python3
"""DynamoDB with PynamoDB: create a table if missing, save an item, get it back by key.

Run:   cd lesson-17/04 && python3 main.py
Needs: DynamoDB Local (`make services`), or real AWS
       with DYNAMODB_HOST empty; pip install -r requirements.txt
"""

import sys

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, PynamoDBException

import settings
from model import User


def main():
    settings.check()  # a malformed endpoint or key: one line, before anything is sent
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

    # TableError, PutError and every other failure: one line naming the cause and the fix.
    except (PynamoDBException, ClientError, BotoCoreError) as e:
        settings.fail(e)


if __name__ == "__main__":
    main()
