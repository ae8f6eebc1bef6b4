"""04: PynamoDB against the official DynamoDB Local, read back with boto3."""

import os
import subprocess
import sys

from utils.paths import LESSON
from utils.scripts import assert_one_line_error, run_script, run_twice
from utils.settings import CLOSED_PORT

EXPECTED = [
    "Table 'user' is ready",
    "User Alice saved successfully!",
    "Retrieved user: Alice, age: 30",
]


def drop_user_table(dynamodb):
    if "user" in dynamodb.list_tables()["TableNames"]:
        dynamodb.delete_table(TableName="user")
        dynamodb.get_waiter("table_not_exists").wait(TableName="user")


def test_creates_table_saves_and_gets_alice_twice_the_same(dynamodb):
    drop_user_table(dynamodb)  # the first run must create the table itself
    assert run_twice("04", "main.py").lines == EXPECTED

    table = dynamodb.describe_table(TableName="user")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    items = dynamodb.scan(TableName="user")["Items"]
    # save() replaced the item on the second run rather than adding one.
    assert items == [
        {"email": {"S": "alice@example.com"}, "name": {"S": "Alice"}, "age": {"N": "30"}}
    ]


def test_unreachable_endpoint_is_one_actionable_line():
    env = {"DYNAMODB_HOST": f"http://127.0.0.1:{CLOSED_PORT}"}
    result = run_script("04", "main.py", env=env)
    assert_one_line_error(result, env["DYNAMODB_HOST"], "make services")


def test_rejected_credentials_name_the_settings_to_check():
    result = run_script("04", "main.py", env={"AWS_ACCESS_KEY_ID": "not-alphanumeric"})
    assert_one_line_error(result, "AWS_ACCESS_KEY_ID")


def test_advanced_operations_maps_lists_and_scans(dynamodb):
    first = run_twice("04", "advanced_operations.py")
    items = dynamodb.scan(TableName="user_profile")["Items"]
    by_id = {item["user_id"]["S"]: item for item in items}
    python = sorted(uid for uid, item in by_id.items() if {"S": "python"} in item["tags"]["L"])
    assert first.lines[:4] == [
        f"Saved {len(by_id)} profiles in table 'user_profile'",
        "bob's tags: ['go', 'python'], city: Berlin",
        f"Tagged 'python' (scan, filtered in Python): {', '.join(python)}",
        f"Tagged 'python' (scan with a filter expression): {', '.join(python)}",
    ]
    # add_tag() wrote "python" once, although it was called twice.
    assert by_id["bob"]["tags"] == {"L": [{"S": "go"}, {"S": "python"}]}
    assert by_id["bob"]["profile_data"]["M"]["city"] == {"S": "Berlin"}
    # TransactWrite: the 30 moved, the 500 (more than alice has) moved nothing at all.
    wallets = {
        i["owner"]["S"]: int(i["credits"]["N"]) for i in dynamodb.scan(TableName="wallet")["Items"]
    }
    assert wallets == {"alice": 70, "bob": 30}
    assert first.lines[4:] == [
        "TransactWrite, alice -> bob 30: alice 70, bob 30",
        "TransactWrite, alice -> bob 500: ConditionalCheckFailed; alice 70, bob 30",
    ]


def test_advanced_operations_fail_in_one_line_without_a_server():
    env = {"DYNAMODB_HOST": f"http://127.0.0.1:{CLOSED_PORT}"}
    result = run_script("04", "advanced_operations.py", env=env)
    assert_one_line_error(result, env["DYNAMODB_HOST"], "make services")


def test_credentials_the_server_refuses_are_one_line_naming_them(dynamodb):
    """Past 04's own letters-and-digits check: 'ß' is a letter to Python's str.isalnum(),
    but DynamoDB Local accepts A-Z, a-z and 0-9 only, and answers
    UnrecognizedClientException: settings.fail()'s refusal line, as the server sends it."""
    result = run_script("04", "main.py", env={"AWS_ACCESS_KEY_ID": "lessonß1"})
    line = assert_one_line_error(result, "AWS_ACCESS_KEY_ID (exported in your shell")
    assert line.startswith("error: DynamoDB refused the credentials: check "), line
    assert "make services" not in line  # the server is up: starting it is not the fix


def test_real_aws_uses_the_sdks_own_credentials_not_the_local_pair(tmp_path):
    """DYNAMODB_HOST empty means real AWS: .env's key pair (DynamoDB Local's, written by
    make install) must not shadow `aws configure`; keys exported in the shell still win."""
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAFROMCONFIGURE\naws_secret_access_key = s\n"
    )
    probe = (
        "import settings, model, botocore.session\n"
        "c = botocore.session.get_session().get_credentials()\n"
        "print(model.User.Meta.host, model.User.Meta.aws_access_key_id, c.method, c.access_key)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), DYNAMODB_HOST="")
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=LESSON / "04", env=env, capture_output=True, text=True
    )
    assert found.stdout.split() == ["None", "None", "shared-credentials-file", "AKIAFROMCONFIGURE"]
    env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "AKIAEXPORTED", "x"
    exported = subprocess.run(
        [sys.executable, "-c", probe], cwd=LESSON / "04", env=env, capture_output=True, text=True
    )
    assert exported.stdout.split()[2:] == ["env", "AKIAEXPORTED"], exported.stderr
    local = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=LESSON / "04",
        env={**env, "DYNAMODB_HOST": "http://127.0.0.1:8000"},
        capture_output=True,
        text=True,
    )
    assert local.stdout.split()[:2] == ["http://127.0.0.1:8000", "AKIAEXPORTED"], local.stderr


def test_real_aws_without_credentials_advises_what_works_for_aws(tmp_path):
    """DYNAMODB_HOST empty and no credentials anywhere: the advice is what works for real
    AWS (`aws configure`, SSO, exported keys), not .env, whose pair is dropped in that mode.
    Nothing reaches AWS: signing fails before a request, the metadata service is off, and a
    proxy on a closed port would turn any request into another error."""
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proxy = f"http://127.0.0.1:{CLOSED_PORT}"
    env.update(
        HOME=str(tmp_path),
        DYNAMODB_HOST="",
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        HTTPS_PROXY=proxy,
        HTTP_PROXY=proxy,
    )
    result = run_script("04", "main.py", base_env=env)
    line = assert_one_line_error(
        result, "aws configure`", "aws configure sso", "export AWS_ACCESS_KEY_ID"
    )
    assert "in .env" not in line, "for real AWS, .env's key pair is dropped: no advice to set it"
