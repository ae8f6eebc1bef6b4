#!/usr/bin/env python3
"""DynamoDB with PynamoDB: create a table if missing, save an item, get it back by key.

Run:   cd lesson-17/04 && python3 main.py
Needs: DynamoDB Local (`make services`), or real AWS
       with DYNAMODB_HOST empty; pip install -r requirements.txt
"""

import sys

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, TableError

import settings
from model import User


def main():
    settings.check()
    # [start:item]
    try:
        # Create the table if it doesn't exist. A table outlives the script:
        # only the first run creates it.
        if not User.exists():
            User.create_table(read_capacity_units=1, write_capacity_units=1, wait=True)
        print(f"Table {User.Meta.table_name!r} is ready")

        # Create a new user. save() puts the whole item under its key (the email):
        # a second run replaces Alice instead of adding a copy.
        user = User(email="alice@example.com", name="Alice", age=30)
        user.save()
        print(f"User {user.name} saved successfully!")

        # Read the item back by its key
        try:
            retrieved_user = User.get("alice@example.com")
            print(f"Retrieved user: {retrieved_user.name}, age: {retrieved_user.age}")
        except DoesNotExist:
            sys.exit("error: user alice@example.com not found right after saving it")

    except TableError as e:  # exists() or create_table(): no server, or it refused us
        settings.fail(e)
    except PutError as e:  # save() was refused
        settings.fail(e)
    except (PynamoDBException, ClientError, BotoCoreError) as e:  # get(), credentials, ...
        settings.fail(e)
    # [end:item]


if __name__ == "__main__":
    main()
