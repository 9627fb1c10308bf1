"""Tests of moto_server.py's DynamoDB fixes, on moto in process.

Costs are counted, not timed: the items a call examines are the
DynamoType comparisons it makes (a Query compares each item it looks at
with the partition key, and sorts what it keeps) and the items it
deep-copies. Run: python3 -m unittest discover -s infra -p 'test_*.py'
"""

import copy
import os
import sys
import unittest

import boto3
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


if __name__ == "__main__":
    unittest.main()
