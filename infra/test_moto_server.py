"""Tests of moto_server.py's DynamoDB fixes, on moto in process.

Costs are counted, not timed: the items a call examines are the
DynamoType comparisons it makes (a Query compares each item it looks at
with the partition key, and sorts what it keeps) and the items it
deep-copies. Run: python3 -m unittest discover -s infra -p 'test_*.py'
"""

import copy
import os
import sys
import types
import unittest

import boto3
import werkzeug.serving
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import DynamoType, Item

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_server  # noqa: E402  (applies the fixes)


class Counter:
    """Counts DynamoType comparisons and Item deep copies while active."""

    def __init__(self):
        self.comparisons = 0
        self.copies = 0

    def __enter__(self):
        self._eq, self._lt = DynamoType.__eq__, DynamoType.__lt__
        counter = self

        def eq(a, b):
            counter.comparisons += 1
            return counter._eq(a, b)

        def lt(a, b):
            counter.comparisons += 1
            return counter._lt(a, b)

        def deepcopy_item(item, memo):
            counter.copies += 1
            clone = Item.__new__(Item)
            memo[id(item)] = clone
            clone.__dict__.update(copy.deepcopy(item.__dict__, memo))
            return clone

        DynamoType.__eq__, DynamoType.__lt__ = eq, lt
        Item.__deepcopy__ = deepcopy_item
        return self

    def __exit__(self, *exc):
        DynamoType.__eq__, DynamoType.__lt__ = self._eq, self._lt
        del Item.__deepcopy__


def make_table(client, name, unrelated):
    """A table with partition p#0 of 5 items and `unrelated` items in
    other partitions."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    items = [{"pk": "p#0", "sk": f"C#{i:03d}"} for i in range(5)]
    items += [{"pk": f"p#{1 + i % 50}", "sk": f"C#{i:05d}"} for i in range(unrelated)]
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {k: {"S": v} for k, v in item.items()}}} for item in items[start:start + 25]
        ]})


def query(client, name):
    return client.query(
        TableName=name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={":pk": {"S": "p#0"}, ":sk": {"S": "C#"}},
    )


@mock_aws
class QueryTest(unittest.TestCase):
    def test_query_examines_the_same_items_whatever_the_other_partitions_hold(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        costs = {}
        for unrelated in (0, 2000):
            name = f"t{unrelated}"
            make_table(client, name, unrelated)
            with Counter() as counted:
                out = query(client, name)
            self.assertEqual(out["Count"], 5, f"query({name}) Count")
            costs[unrelated] = counted.comparisons
        self.assertEqual(costs[2000], costs[0],
                         f"comparisons of a Query beside 2000 unrelated items = {costs[2000]}, want {costs[0]} (as beside none)")

    def test_unpatched_query_examines_every_item(self):
        # The control: the count above would see moto's own walk.
        client = boto3.client("dynamodb", region_name="us-east-1")
        make_table(client, "t", 2000)
        patched = moto_server.Table.query
        moto_server.Table.query = moto_server._query
        try:
            with Counter() as counted:
                query(client, "t")
        finally:
            moto_server.Table.query = patched
        self.assertGreater(counted.comparisons, 2000, "comparisons of moto's own Query beside 2000 items")

    def test_query_pages_and_missing_partitions_answer_as_before(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        make_table(client, "t", 200)
        first = client.query(TableName="t", KeyConditionExpression="pk = :pk",
                             ExpressionAttributeValues={":pk": {"S": "p#0"}}, Limit=3)
        rest = client.query(TableName="t", KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": "p#0"}}, ExclusiveStartKey=first["LastEvaluatedKey"])
        got = [i["sk"]["S"] for i in first["Items"] + rest["Items"]]
        self.assertEqual(got, [f"C#{i:03d}" for i in range(5)], "query(p#0) in two pages")
        backwards = client.query(TableName="t", KeyConditionExpression="pk = :pk",
                                 ExpressionAttributeValues={":pk": {"S": "p#0"}}, ScanIndexForward=False)
        self.assertEqual([i["sk"]["S"] for i in backwards["Items"]], list(reversed(got)), "query(p#0) backwards")
        missing = client.query(TableName="t", KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues={":pk": {"S": "nobody"}})
        self.assertEqual(missing["Count"], 0, "query(nobody) Count")
        self.assertEqual(client.scan(TableName="t")["Count"], 205, "scan(t) Count after a Query of a missing partition")


def make_partition(client, name, outside):
    """A table with one partition: 5 items C#000..C#004 in the range the
    tests query, and `outside` items after it (D#...)."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    keys = [f"C#{i:03d}" for i in range(5)] + [f"D#{i:05d}" for i in range(outside)]
    for start in range(0, len(keys), 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": k}}}} for k in keys[start:start + 25]
        ]})


# Key conditions on the sort key, each with the sort keys it finds among
# C#000..C#004 and D#00000..D#00009.
RANGE_CONDITIONS = [
    ("between", "sk BETWEEN :a AND :b", {":a": "C#001", ":b": "C#003"}, ["C#001", "C#002", "C#003"]),
    ("begins_with", "begins_with(sk, :a)", {":a": "C#00"}, [f"C#{i:03d}" for i in range(5)]),
    ("equal", "sk = :a", {":a": "C#002"}, ["C#002"]),
    ("less than", "sk < :a", {":a": "C#002"}, ["C#000", "C#001"]),
    ("at most", "sk <= :a", {":a": "C#001"}, ["C#000", "C#001"]),
    ("greater than", "sk > :a", {":a": "D#00007"}, ["D#00008", "D#00009"]),
    ("at least", "sk >= :a", {":a": "D#00008"}, ["D#00008", "D#00009"]),
]


def range_query(client, name, condition, values, **kwargs):
    return client.query(
        TableName=name,
        KeyConditionExpression="pk = :pk AND " + condition,
        ExpressionAttributeValues={":pk": {"S": "p"}, **{k: {"S": v} for k, v in values.items()}},
        **kwargs,
    )


@mock_aws
class RangeQueryTest(unittest.TestCase):
    def test_range_query_examines_what_it_finds_not_the_partition(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        costs = {}
        for outside in (0, 2000):
            name = f"t{outside}"
            make_partition(client, name, outside)
            with Counter() as counted:
                out = range_query(client, name, "sk BETWEEN :a AND :b", {":a": "C#000", ":b": "C#004"})
            self.assertEqual(out["Count"], 5, f"range_query({name}) Count")
            costs[outside] = counted.comparisons
        self.assertEqual(costs[2000], costs[0],
                         f"comparisons of a range Query in a partition of 2000 more items = {costs[2000]}, want {costs[0]} (as in one of none)")

    def test_range_queries_find_what_moto_finds(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        make_partition(client, "t", 10)
        for name, condition, values, want in RANGE_CONDITIONS:
            with self.subTest(name):
                got = [i["sk"]["S"] for i in range_query(client, "t", condition, values)["Items"]]
                self.assertEqual(got, want, f"range_query({condition}, {values})")
                backwards = [i["sk"]["S"] for i in range_query(client, "t", condition, values, ScanIndexForward=False)["Items"]]
                self.assertEqual(backwards, list(reversed(want)), f"range_query({condition}, {values}) backwards")
                pages, start = [], {}
                while True:
                    page = range_query(client, "t", condition, values, Limit=2, **start)
                    pages += [i["sk"]["S"] for i in page["Items"]]
                    if "LastEvaluatedKey" not in page:
                        break
                    start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
                self.assertEqual(pages, want, f"range_query({condition}, {values}) in pages of 2")


# An item with every kind of attribute value, nested ones included.
EVERY_KIND = {
    "pk": {"S": "p"}, "sk": {"S": "C#000"},
    "s": {"S": "Müller & Söhne"}, "empty": {"S": ""}, "n": {"N": "12.50"},
    "yes": {"BOOL": True}, "null": {"NULL": True},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
    "b": {"B": b"\x00\xffbin"}, "bs": {"BS": [b"x", b"y"]},
    "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"B": b"z"}}}]},
    "m": {"M": {"name": {"S": "n"}, "tags": {"L": [{"S": "t"}]}, "none": {"NULL": True}}},
}


class SerializerCounter:
    """Counts the attribute values moto's response serializer walks: one
    get_value call for each member of each structure it serializes."""

    def __enter__(self):
        self.calls = 0
        self._get_value = moto_server.BaseJSONSerializer.get_value
        counter = self

        def get_value(serializer, *args, **kwargs):
            counter.calls += 1
            return counter._get_value(serializer, *args, **kwargs)

        moto_server.BaseJSONSerializer.get_value = get_value
        return self

    def __exit__(self, *exc):
        moto_server.BaseJSONSerializer.get_value = self._get_value


@mock_aws
class ItemAnswerTest(unittest.TestCase):
    def setUp(self):
        self.client = boto3.client("dynamodb", region_name="us-east-1")
        self.client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

    def put_records(self, n):
        for start in range(0, n, 25):
            self.client.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {
                "pk": {"S": "r"}, "sk": {"S": f"C#{i:05d}"}, "version": {"N": "1"},
                "fields": {"M": {f"f{k}": {"S": f"value {k} of {i}"} for k in range(10)}},
            }}} for i in range(start, min(start + 25, n))]})

    def records(self):
        return self.client.query(TableName="t", KeyConditionExpression="pk = :pk",
                                 ExpressionAttributeValues={":pk": {"S": "r"}})

    def test_items_of_plain_values_are_not_walked_value_by_value(self):
        self.put_records(1)
        with SerializerCounter() as one:
            self.assertEqual(self.records()["Count"], 1, "records() Count")
        self.put_records(200)
        with SerializerCounter() as many:
            self.assertEqual(self.records()["Count"], 200, "records() Count")
        self.assertEqual(many.calls, one.calls,
                         f"serializer calls for 200 items of 12 values = {many.calls}, want {one.calls} (as for 1)")

    def test_answers_are_as_moto_serializes_them(self):
        self.client.put_item(TableName="t", Item=EVERY_KIND)
        self.put_records(3)
        calls = {
            "get_item": lambda: self.client.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"S": "C#000"}}),
            "query": lambda: self.client.query(TableName="t", KeyConditionExpression="pk = :pk",
                                               ExpressionAttributeValues={":pk": {"S": "p"}}),
            "scan": lambda: self.client.scan(TableName="t"),
            "batch_get_item": lambda: self.client.batch_get_item(RequestItems={"t": {"Keys": [
                {"pk": {"S": "p"}, "sk": {"S": "C#000"}}, {"pk": {"S": "r"}, "sk": {"S": "C#00001"}}]}}),
            "projection": lambda: self.client.query(TableName="t", KeyConditionExpression="pk = :pk",
                                                    ExpressionAttributeValues={":pk": {"S": "p"}},
                                                    ProjectionExpression="sk, m.#n, l[2]", ExpressionAttributeNames={"#n": "name"}),
            "update_item": lambda: self.client.update_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"S": "C#000"}},
                                                           UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "12.50"}},
                                                           ReturnValues="ALL_NEW"),
        }
        for name, call in calls.items():
            with self.subTest(name):
                patched = call()
                saved = (moto_server.BaseJSONSerializer._serialize_type_map,
                         moto_server.BaseJSONSerializer._serialize_type_structure)
                moto_server.BaseJSONSerializer._serialize_type_map = moto_server._serialize_type_map
                moto_server.BaseJSONSerializer._serialize_type_structure = moto_server._serialize_type_structure
                try:
                    unpatched = call()
                finally:
                    (moto_server.BaseJSONSerializer._serialize_type_map,
                     moto_server.BaseJSONSerializer._serialize_type_structure) = saved
                patched.pop("ResponseMetadata", None)
                unpatched.pop("ResponseMetadata", None)
                self.assertEqual(patched, unpatched, f"{name}() with the fast path, want as moto serializes it")


@mock_aws
class QueryCopyTest(unittest.TestCase):
    def test_query_copies_no_item_and_scan_still_does(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        make_table(client, "t", 0)
        with Counter() as counted:
            self.assertEqual(query(client, "t")["Count"], 5, "query(p#0) Count")
        self.assertEqual(counted.copies, 0, "items a Query deep-copies")
        with Counter() as counted:
            self.assertEqual(client.scan(TableName="t")["Count"], 5, "scan(t) Count")
        self.assertEqual(counted.copies, 5, "items a Scan deep-copies (moto's own way)")

    def test_item_sizes_are_moto_s(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="t", Item=EVERY_KIND)
        item = next(iter(moto_server.dynamodb_models.dynamodb_backends["123456789012"]["us-east-1"].tables["t"].all_items()))
        for name, value in item.attrs.items():
            with self.subTest(name):
                self.assertEqual(moto_server._size(value), moto_server._dynamo_type_size(value), f"size({name})")


@mock_aws
class TransactWriteItemsTest(unittest.TestCase):
    def transact(self, client, name, fail):
        items = [{"Put": {"TableName": name, "Item": {"pk": {"S": "p#0"}, "sk": {"S": "C#new"}}}},
                 {"Delete": {"TableName": name, "Key": {"pk": {"S": "p#0"}, "sk": {"S": "C#000"}}}},
                 {"Update": {"TableName": name, "Key": {"pk": {"S": "p#0"}, "sk": {"S": "C#001"}},
                             "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}}]
        if fail:
            items.append({"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "p#0"}, "sk": {"S": "C#002"}},
                                             "ConditionExpression": "attribute_not_exists(pk)"}})
        return client.transact_write_items(TransactItems=items)

    def test_transaction_copies_the_items_it_writes_not_the_table(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        copies = {}
        for unrelated in (0, 2000):
            name = f"t{unrelated}"
            make_table(client, name, unrelated)
            with Counter() as counted:
                self.transact(client, name, fail=False)
            copies[unrelated] = counted.copies
        self.assertEqual(copies[2000], copies[0],
                         f"items copied by a transaction beside 2000 unrelated items = {copies[2000]}, want {copies[0]}")

    def test_cancelled_transaction_leaves_every_item_as_it_was(self):
        client = boto3.client("dynamodb", region_name="us-east-1")
        make_table(client, "t", 20)
        before = client.scan(TableName="t")["Items"]
        with self.assertRaises(client.exceptions.TransactionCanceledException):
            self.transact(client, "t", fail=True)
        after = client.scan(TableName="t")["Items"]
        key = lambda i: (i["pk"]["S"], i["sk"]["S"])
        self.assertEqual(sorted(after, key=key), sorted(before, key=key), "scan(t) after a cancelled transaction")
        self.transact(client, "t", fail=False)
        got = {key(i): i for i in client.scan(TableName="t")["Items"]}
        self.assertIn(("p#0", "C#new"), got, "the put of a transaction that went through")
        self.assertNotIn(("p#0", "C#000"), got, "the delete of a transaction that went through")
        self.assertEqual(got[("p#0", "C#001")].get("v"), {"S": "x"}, "the update of a transaction that went through")



class ConditionalWriteTest(unittest.TestCase):
    """Of many conditional writes racing for one item, exactly one wins, as
    in DynamoDB: moto_server answers on many threads."""

    def test_one_of_many_racing_conditional_updates_succeeds(self):
        import threading

        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads switch often: a race shows
        self.addCleanup(sys.setswitchinterval, old)
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            client.create_table(
                TableName="t",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            for round_ in range(30):
                key = {"pk": {"S": f"job-{round_}"}}
                client.put_item(TableName="t", Item={**key, "status": {"S": "WAITING"}})
                wins, start = [], threading.Barrier(8)

                def take():
                    start.wait()
                    try:
                        client.update_item(
                            TableName="t", Key=key,
                            UpdateExpression="SET #s = :next",
                            ConditionExpression="#s = :waiting",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":next": {"S": "APPLYING"}, ":waiting": {"S": "WAITING"}},
                        )
                        wins.append(1)
                    except client.exceptions.ConditionalCheckFailedException:
                        pass

                threads = [threading.Thread(target=take) for _ in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(len(wins), 1, f"round {round_}: {len(wins)} conditional updates won, want 1")


class DistributedMapToleranceTest(unittest.TestCase):
    """A Distributed Map fails once more children fail than it tolerates
    (none by default), as on AWS, and starts no more children; its Catch
    gets States.ExceedToleratedFailureThreshold."""

    ITEMS = 10

    def run_map(self, tolerated):
        import json
        import time

        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="items")
            # The second item fails; one child at a time, so the count of
            # children started is the same on every run.
            items = [{"n": i, "fail": i == 1} for i in range(self.ITEMS)]
            s3.put_object(Bucket="items", Key="items.json", Body=json.dumps(items).encode())
            each = {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket": "items", "Key": "items.json"},
                },
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Check",
                    "States": {
                        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Boom"}], "Default": "Done"},
                        "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "the item failed"},
                        "Done": {"Type": "Pass", "End": True},
                    },
                },
                "ResultPath": None,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            }
            each.update(tolerated)
            definition = {"StartAt": "Each", "States": {"Each": each, "Caught": {"Type": "Pass", "End": True}}}
            sfn = boto3.client("stepfunctions", region_name="us-east-1")
            machine = sfn.create_state_machine(
                name="m", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
            )["stateMachineArn"]
            arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
            for _ in range(600):
                execution = sfn.describe_execution(executionArn=arn)
                if execution["status"] != "RUNNING":
                    break
                time.sleep(0.05)
            runs = sfn.list_map_runs(executionArn=arn)["mapRuns"]
            started = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])["itemCounts"]["total"]
            self.children = sfn.get_execution_history(executionArn=runs[0]["mapRunArn"])["events"]
            return execution["status"], json.loads(execution.get("output") or "{}"), started

    def test_a_failed_child_fails_the_map_by_default(self):
        status, output, started = self.run_map({})
        self.assertEqual(status, "SUCCEEDED", "execution (its Catch ran)")
        self.assertEqual(output.get("error", {}).get("Error"), "States.ExceedToleratedFailureThreshold", f"Catch's error in {output}")
        self.assertLess(started, self.ITEMS, "children started after the failure")

    def test_the_childrens_events_are_kept_with_their_map_run(self):
        self.run_map({"ToleratedFailureCount": 1})
        failed = [e for e in self.children if e["type"] == "FailStateEntered"]
        passed = [e for e in self.children if e["type"] == "PassStateExited"]
        self.assertEqual((len(failed), len(passed)), (1, self.ITEMS - 1), "children's Fail and Pass states in the map run's history")

    def test_a_tolerated_failure_lets_the_map_succeed(self):
        status, output, started = self.run_map({"ToleratedFailureCount": 1})
        self.assertEqual(status, "SUCCEEDED", "execution")
        self.assertNotIn("error", output, "the Map's output")
        self.assertEqual(started, self.ITEMS, "children started")


class DispatchTest(unittest.TestCase):
    """moto_server finds a request's service once per host, not by
    listing moto's package directory on every request."""

    ENVIRON = {
        "PATH_INFO": "/",
        "REQUEST_METHOD": "POST",
        "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query",
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
    }

    def dispatch(self, requests):
        from moto.server import DomainDispatcherApplication, create_backend_app

        app = DomainDispatcherApplication(create_backend_app)
        listed = []
        listdir = os.listdir

        def counting_listdir(path):
            listed.append(path)
            return listdir(path)

        s3 = dict(self.ENVIRON, HTTP_HOST="127.0.0.1:4566")
        del s3["HTTP_X_AMZ_TARGET"]
        s3["HTTP_AUTHORIZATION"] = s3["HTTP_AUTHORIZATION"].replace("/dynamodb/", "/s3/")
        # The first request of a service builds its Flask app (which reads
        # templates); what is counted is every request after it.
        services = {app.get_application(dict(self.ENVIRON)).service, app.get_application(dict(s3)).service}
        os.listdir = counting_listdir
        try:
            for _ in range(requests):
                services |= {app.get_application(dict(self.ENVIRON)).service, app.get_application(dict(s3)).service}
        finally:
            os.listdir = listdir
        return services, len(listed)

    def test_requests_list_no_directory_and_reach_their_service(self):
        services, listed = self.dispatch(50)
        self.assertEqual(services, {"dynamodb", "s3"})
        self.assertEqual(listed, 0, "directory listings for 100 requests")

    def test_only_answers_of_an_error_are_logged(self):
        logged = []
        handler = werkzeug.serving.WSGIRequestHandler.__new__(werkzeug.serving.WSGIRequestHandler)
        handler.log = lambda kind, message, *args: logged.append(args[1] if len(args) > 1 else message)
        handler.path, handler.command, handler.request_version = "/", "POST", "HTTP/1.1"
        handler.requestline = "POST / HTTP/1.1"
        for code in (200, 204, "200", 400, 404, 500, "-"):
            handler.log_request(code, 10)
        self.assertEqual(logged, ["400", "404", "500", "-"])


class JSONPathTest(unittest.TestCase):
    """A state machine's JSONPath is parsed once, not on every
    evaluation."""

    def count_parsers(self, evaluate, times):
        import jsonpath_ng._ply.yacc as yacc

        built = []
        make = yacc.yacc

        def counting_yacc(*args, **kwargs):
            built.append(1)
            return make(*args, **kwargs)

        yacc.yacc = counting_yacc
        try:
            answers = [evaluate() for _ in range(times)]
        finally:
            yacc.yacc = make
        return answers, len(built)

    def test_a_path_evaluated_again_builds_no_parser(self):
        from moto.stepfunctions.parser.asl.utils.json_path import extract_json

        data = {"Map": {"Item": {"user": "u-2"}, "Items": [{"user": "u-1"}, {"user": "u-2"}]}}
        extract_json("$.Map.Item.user", data)
        answers, built = self.count_parsers(lambda: extract_json("$.Map.Item.user", data), 50)
        self.assertEqual(answers, ["u-2"] * 50)
        self.assertEqual(built, 0, "parsers built for 50 evaluations of one path (unpatched: 50)")
        answers, built = self.count_parsers(lambda: extract_json("$.Map.Items[*].user", data), 3)
        self.assertEqual(answers, [["u-1", "u-2"]] * 3)
        self.assertLessEqual(built, 1, "a new path is parsed once")

    def test_a_result_path_writes_into_each_input_as_before(self):
        from moto.stepfunctions.parser.asl.component.common.path.result_path import ResultPath

        class Env:
            pass

        def run(state_input):
            env = Env()
            env.states = types.SimpleNamespace(get_input=lambda: state_input)
            env.stack = [{"ok": True}]
            ResultPath("$.result.apply")._eval_body(env)
            return env.stack[-1]

        run({})
        answers, built = self.count_parsers(lambda: run({"user": "u-1"}), 20)
        self.assertEqual(answers, [{"user": "u-1", "result": {"apply": {"ok": True}}}] * 20)
        self.assertEqual(built, 0, "parsers built for 20 result paths (unpatched: 20)")


if __name__ == "__main__":
    unittest.main()
