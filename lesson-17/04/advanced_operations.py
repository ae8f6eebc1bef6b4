#!/usr/bin/env python3
"""DynamoDB beyond get and put: nested maps, lists, scans and their cost, transactions.

Run:   cd lesson-17/04 && python3 advanced_operations.py
Needs: DynamoDB Local (`make services`), or real AWS with DYNAMODB_HOST empty.
"""

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

import settings
from model import UserProfile, Wallet

PROFILES = {
    "alice": ({"city": "Lisbon", "languages": ["en", "pt"]}, ["python", "aws"]),
    "bob": ({"city": "Berlin", "languages": ["de"]}, ["go"]),
    "charlie": ({"city": "Austin", "languages": ["en"]}, ["python"]),
}


def save_profiles():
    """save() replaces each whole item, so every run starts from the same three profiles."""
    for user_id, (data, tags) in PROFILES.items():
        UserProfile(user_id, profile_data=data, tags=list(tags)).save()


# [start:transfer]
def transfer(source, target, credits):
    """Move credits in one transaction: both updates happen, or neither does. The
    condition refuses to take more than the source holds."""
    with TransactWrite(connection=settings.connection()) as transaction:
        transaction.update(
            Wallet(source),
            actions=[Wallet.credits.add(-credits)],
            condition=Wallet.credits >= credits,
        )
        transaction.update(Wallet(target), actions=[Wallet.credits.add(credits)])


# [end:transfer]


def balances():
    return ", ".join(f"{w.owner} {w.credits}" for w in sorted(Wallet.scan(), key=lambda w: w.owner))


def main():
    settings.check()
    try:
        if not UserProfile.exists():
            UserProfile.create_table(billing_mode="PAY_PER_REQUEST", wait=True)  # on demand
        save_profiles()
        print(f"Saved {len(PROFILES)} profiles in table {UserProfile.Meta.table_name!r}")

        bob = UserProfile.get("bob")
        bob.add_tag("python")
        bob.add_tag("python")  # already there: the condition fails, nothing is written
        bob = UserProfile.get("bob")
        print(f"bob's tags: {bob.tags}, city: {bob.profile_data['city']}")

        by_scan = sorted(p.user_id for p in UserProfile.get_users_by_tag("python"))
        print(f"Tagged 'python' (scan, filtered in Python): {', '.join(by_scan)}")
        filtered = sorted(p.user_id for p in UserProfile.get_users_by_tag_filtered("python"))
        print(f"Tagged 'python' (scan with a filter expression): {', '.join(filtered)}")

        if not Wallet.exists():
            Wallet.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        Wallet("alice", credits=100).save()
        Wallet("bob", credits=0).save()
        transfer("alice", "bob", 30)
        print(f"TransactWrite, alice -> bob 30: {balances()}")
        try:
            transfer("alice", "bob", 500)
        except TransactWriteError as exc:  # the condition failed: no update was applied
            reason = exc.cancellation_reasons[0].code if exc.cancellation_reasons else exc
            print(f"TransactWrite, alice -> bob 500: {reason}; {balances()}")
    except (PynamoDBException, ClientError, BotoCoreError) as exc:
        settings.fail(exc)


if __name__ == "__main__":
    main()
