"""Exercise 4, a social media backend on DynamoDB: the models and exceptions, given.

starter.py, solution.py and your copy import them from here; there is nothing to write.
"""

import os

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

HOST = os.getenv("DYNAMODB_HOST", "http://127.0.0.1:8000") or None  # None: real AWS


class Location:
    region = os.getenv("AWS_DEFAULT_REGION") or "us-west-1"
    host = HOST
    # DynamoDB Local: .env's key pair. Real AWS (no HOST): None, so the AWS SDK finds your
    # credentials itself (`aws configure`, SSO, a role).
    aws_access_key_id = os.getenv("AWS_ACCESS_KEY_ID") if HOST else None
    aws_secret_access_key = os.getenv("AWS_SECRET_ACCESS_KEY") if HOST else None


class Post(Model):
    """A post, keyed by its author and, within the author, by time."""

    class Meta(Location):
        table_name = "social_post"

    user_id = UnicodeAttribute(hash_key=True)
    created = UTCDateTimeAttribute(range_key=True)
    text = UnicodeAttribute()


class ByFollowee(GlobalSecondaryIndex):
    """The same follows, keyed the other way round: who follows this user?"""

    class Meta:
        index_name = "followee-index"
        projection = AllProjection()
        read_capacity_units = 5
        write_capacity_units = 5

    followee = UnicodeAttribute(hash_key=True)
    follower = UnicodeAttribute(range_key=True)


class Follow(Model):
    """follower follows followee."""

    class Meta(Location):
        table_name = "social_follow"

    follower = UnicodeAttribute(hash_key=True)
    followee = UnicodeAttribute(range_key=True)
    by_followee = ByFollowee()


MODELS = (Post, Follow)
