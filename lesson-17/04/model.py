"""The DynamoDB models of section 04: a User keyed by email, a UserProfile with nested data.

Settings (environment or .env): DYNAMODB_HOST, the endpoint of DynamoDB Local; empty
means real AWS. AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
"""

import os

from dotenv import load_dotenv
from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

load_dotenv()  # only reads .env into os.environ; nothing is contacted at import


class User(Model):
    """
    A DynamoDB User
    """

    class Meta:
        table_name = "user"
        region = os.getenv("AWS_DEFAULT_REGION", "us-west-1")
        host = os.getenv("DYNAMODB_HOST", "http://localhost:8000") or None

    email = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    age = NumberAttribute()


class UserProfile(Model):
    """A profile with a free-form map and a list of tags (advanced_operations.py)."""

    class Meta:
        table_name = "user_profile"
        region = User.Meta.region
        host = User.Meta.host

    user_id = UnicodeAttribute(hash_key=True)
    profile_data = MapAttribute()
    tags = ListAttribute(of=UnicodeAttribute)

    @classmethod
    def get_users_by_tag(cls, tag):
        # Scan operation (expensive, use carefully): reads every item, then filters here.
        for user in cls.scan():
            if tag in user.tags:
                yield user

    @classmethod
    def get_users_by_tag_filtered(cls, tag):
        # Still a scan, but DynamoDB filters before sending: less data over the wire,
        # the same read capacity consumed. A query on a key is what scales.
        return cls.scan(cls.tags.contains(tag))

    def add_tag(self, tag):
        if tag not in self.tags:
            self.tags.append(tag)
            self.save()
