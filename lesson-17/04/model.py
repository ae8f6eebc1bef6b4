"""The DynamoDB model of section 04: a User item, keyed by email.

Settings (environment or .env): DYNAMODB_HOST, the endpoint of DynamoDB Local; empty
means real AWS. AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
"""

import os

from dotenv import load_dotenv
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
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
