"""The DynamoDB models of section 04: a User keyed by email, a UserProfile with nested data.

Where they live (endpoint, region, credentials) comes from settings.py; importing this
module contacts nothing.
"""

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

import settings


class Location:
    """Where every table of this section lives (settings.py reads .env); each Meta inherits it."""

    region = settings.REGION
    host = settings.HOST  # DynamoDB Local; None means real AWS
    aws_access_key_id = settings.KEY  # None: the AWS SDK finds credentials as usual
    aws_secret_access_key = settings.SECRET


# [start:user]
class User(Model):
    """
    A DynamoDB User
    """

    class Meta(Location):
        table_name = "user"

    email = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    age = NumberAttribute()


# [end:user]


class UserProfile(Model):
    """A profile with a free-form map and a list of tags (advanced_operations.py)."""

    class Meta(Location):
        table_name = "user_profile"

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
        """Append tag unless the stored list has it, in one conditional update: no read,
        so two writers cannot lose each other's tags (see advanced_concurrency.py).
        True if added."""
        try:
            self.update(
                actions=[UserProfile.tags.set(UserProfile.tags.append([tag]))],
                condition=~UserProfile.tags.contains(tag),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False  # already there
        return True


class PageCounter(Model):
    """A counter many writers increment at once (advanced_concurrency.py): optimistic locking.

    Every save() of a model with a VersionAttribute checks that the stored version is
    the one read, and adds one to it; a writer that read an older copy gets a
    conditional-check failure instead of overwriting someone else's increment.
    """

    class Meta(Location):
        table_name = "page_counter"

    page = UnicodeAttribute(hash_key=True)
    views = NumberAttribute(default=0)
    version = VersionAttribute()


class ViewCounter(Model):
    """A counter changed only by atomic ADD updates (advanced_concurrency.py): it needs no version.

    Kept apart from PageCounter on purpose: an update() that skips the version check
    still writes the version, and PynamoDB writes 1 when the object in hand has none
    (`PageCounter(page).update(...)`), which would undo the optimistic locking of every
    versioned writer of that item.
    """

    class Meta(Location):
        table_name = "view_counter"

    page = UnicodeAttribute(hash_key=True)
    views = NumberAttribute(default=0)


class Wallet(Model):
    """Credits per user (advanced_operations.py): moved between two items in one
    transaction, with a condition that no balance goes below zero."""

    class Meta(Location):
        table_name = "wallet"

    owner = UnicodeAttribute(hash_key=True)
    credits = NumberAttribute(default=0)


# [start:index]
class TagIndex(GlobalSecondaryIndex):
    """A second key for Article: DynamoDB keeps, per tag, the articles that carry it."""

    class Meta:
        index_name = "tag-index"
        projection = AllProjection()  # copy every attribute, so a query needs no second read
        read_capacity_units = 5
        write_capacity_units = 5

    tag = UnicodeAttribute(hash_key=True)


class Article(Model):
    """One item per article and tag (performance_indexes.py): asked for by tag through the index."""

    class Meta(Location):
        table_name = "article"

    article_id = UnicodeAttribute(hash_key=True)
    tag = UnicodeAttribute()
    title = UnicodeAttribute()
    by_tag = TagIndex()


# [end:index]
