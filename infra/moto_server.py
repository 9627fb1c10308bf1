#!/usr/bin/env python3
"""moto_server, with the fixes the local cloud needs for moto 5.2.

Step Functions: StartExecution deep-copies the state machine, executions
included, and an execution that has run holds thread locks, which cannot be
copied. moto 5.2 therefore answers 500 to every StartExecution after the
first execution of a state machine has run. The copy only has to freeze the
definition, so it now leaves the executions out.

S3 events: moto's notifications leave out the object's versionId, which
AWS sends for a versioned bucket. Without it the pipeline cannot pin its
reads to the version that was uploaded; the event now carries it.

Step Functions: StopExecution while a task is in flight ended the execution
FAILED, with the task's error, once the task came back failed (the
interpreter's error overwrote the stop); AWS ends it ABORTED whatever the task
does. A stopped execution now stays stopped.

EventBridge: PutEvents sent every event to the targets of scheduled rules
too (a rule without an event pattern matched everything), and answered 500
for their Lambda targets, which moto cannot invoke: every ImportSucceeded
and ImportFailed failed once the sweeper's schedule was deployed. A
scheduled rule now matches no event, as in AWS; it runs on its schedule
only (which moto does not run either).

Step Functions: SendTaskSuccess for a task token whose task has closed
(answered already, or timed out while its execution runs on) succeeded
again, silently; AWS answers TaskTimedOut. The token's endpoint stays in
moto's pool after its task ends, so a second answer found it. (moto's own
path to TaskTimedOut answers 500: it raises an error class that wants a
message it does not give.) A closed endpoint (its wait set, by the answer
or by the task's end) is now refused with TaskTimedOut, as AWS refuses it;
a task that times out closes the tokens it was given (moto left them open:
only the task's own wait, not its timeout, closed them).

DynamoDB: Query read every item of the table, sorted, on every call
(Table.query walks all_items(), which builds and sorts the whole table),
so a Query cost O(table) where DynamoDB's costs O(result): apply's re-read
of each chunk grew with every tenant's data. A Query of the table (not of
an index) now reads only the queried partition, and of it, for a key
condition on a string sort key, only the items whose key meets it: moto
sorted the whole partition and compared each item (DynamoType comparisons,
a Python call each), so a chunk's re-read cost as much as the user's
records, not the chunk's. TransactWriteItems
deep-copied every table it touched, to roll back a cancelled transaction;
it now keeps a copy of the items it writes only, and puts those back.

DynamoDB: a conditional write checked its condition and then wrote, with
no lock between, while moto_server answers requests on many threads: two
UpdateItems conditional on the same value could both succeed (two answers
to one wizard wait both took it). DynamoDB applies each conditional write
atomically; the backend's writes now hold one lock.

DynamoDB: a Query deep-copied every item it found and measured each
twice (for the 1 MB page), the measure rebuilding every nested value: two
thirds of the time left of answering an item once the serializer was
fixed (below). A Query of the table's own items now answers from the
items as stored (they are only read: a projection builds new ones, the
answer's serializer copies them into its own dicts), and an item's size is
summed without rebuilding its values, to the same bytes.

DynamoDB: every answer holding items (Query, Scan, GetItem, BatchGetItem)
was walked by moto's shape-driven response serializer attribute by
attribute, nested fields included: about 1 ms per item of ten fields, so a
Query of 1,000 records took a second where DynamoDB answers 1 MB in tens of
milliseconds, and reading a tenant's 100,000 records (finalize's look for
duplicates) took minutes. An attribute value is already in its wire form
(a one-key map of S, N, BOOL, NULL, SS, NS, L or M), so an item whose values
are all such is now put in the answer as it is; a binary value (B, BS),
which the serializer base64-encodes, still goes the serializer's way.

With MOTO_OP_SECONDS set to a file, moto_server writes there, every two
seconds, the CPU seconds (of the thread that answered) and the wall seconds
it spent on each operation, and how many it answered: where the local
cloud's time goes, apart from the time a request waits for the
interpreter's lock or the write lock.

Step Functions: a Distributed Map ignored ToleratedFailureCount and
ToleratedFailurePercentage: a child execution that failed was counted
and its item left without output, and the Map succeeded. AWS fails the
map run (States.ExceedToleratedFailureThreshold) once more children fail
than it tolerates, 0 by default, and starts no more children; the import
relies on it to fail an import whose user failed, through its Catch. A
child that fails past the threshold now fails the Map so, and the
children not started yet are not started.

Step Functions: a Distributed Map's children kept their events in a
history of their own, as on AWS, but moto threw it away at the end of the
map run, and has no ListExecutions by map run: nothing could read what a
child did (a retried task, a failure). The children's events of a map
run are now kept, and GetExecutionHistory of the map run's ARN answers
them (one history for all of the run's children, in the order they
happened; AWS answers one per child execution).

moto_server: every request's service was found by listing moto's package
directory (an os.listdir and an isdir for each of its 200-odd modules) and
then matching the host against each service's URL patterns, and every
answer wrote a line to the log through colorama: a cost per request that
AWS's endpoints do not have, paid by the import's small requests (a lease,
a before-image) as by a batch of 25 items (measured against the unpatched
server, one client: PutItem 2.78 -> 2.12 ms, BatchWriteItem 11.3 -> 10.8). The list of modules is read once, a host's service
is remembered, and only answers of an error (4xx, 5xx) are logged.

Step Functions: every JSONPath a state evaluates (an ItemSelector's
"$.x", an OutputPath, a ResultPath) was parsed anew by jsonpath_ng, which
builds a PLY parser and validates its grammar on each call: about 13 ms
of the server's CPU for each path of each state of each Map child, where
AWS parses a definition once. A path's parse is now kept (by its text).

Takes the same arguments as moto_server.
"""

import copy
import functools
import json
import os
import threading
import time
import types

import moto.backends as moto_backends
import moto.dynamodb.models as dynamodb_models
import moto.s3.notifications as s3_notifications
import werkzeug.serving
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models import table as table_module
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize
from moto.events.models import Rule
from moto.server import DomainDispatcherApplication, main
from moto.stepfunctions.models import StateMachineInstance
from moto.core.exceptions import AWSError
from moto.core.serialize import BaseJSONSerializer
from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
import moto.stepfunctions.parser.asl.utils.json_path as sfn_json_path
import moto.stepfunctions.parser.asl.component.common.path.result_path as sfn_result_path
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.distributed_item_processor_worker import (
    DistributedItemProcessorWorker,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.api import GetExecutionHistoryOutput
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)


def _deepcopy_without_executions(self, memo):
    clone = self.__class__.__new__(self.__class__)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
    return clone


StateMachineInstance.__deepcopy__ = _deepcopy_without_executions

_get_s3_event = s3_notifications._get_s3_event


def _get_s3_event_with_version(event_name, bucket, key, notification_id):
    event = _get_s3_event(event_name, bucket, key, notification_id)
    version = getattr(key, "version_id", None)
    if getattr(bucket, "is_versioned", False) and version and version != "null":
        for record in event["Records"]:
            record["s3"]["object"]["versionId"] = version
    return event


s3_notifications._get_s3_event = _get_s3_event_with_version

_set_error = Environment.set_error


def _set_error_unless_stopped(self, error):
    with self._state_mutex:
        if isinstance(self._program_state, ProgramStopped):
            return
        _set_error(self, error)


Environment.set_error = _set_error_unless_stopped

_send_to_targets = Rule.send_to_targets


def _send_to_targets_unless_scheduled(self, original_event, transform_input=True):
    if self.scheduled_expression and not self.event_pattern._pattern:
        return
    _send_to_targets(self, original_event, transform_input)


Rule.send_to_targets = _send_to_targets_unless_scheduled



class TaskTimedOut(AWSError):
    TYPE = "TaskTimedOut"
    STATUS = 400

    def __init__(self):
        super().__init__("Task Timed Out: 'Provided task does not exist anymore'")


_send_task_success = StepFunctionsParserBackend.send_task_success


def _send_task_success_unless_closed(self, task_token, outcome):
    for execution in self._get_executions(ExecutionStatus.RUNNING):
        endpoint = execution.exec_worker.env.callback_pool_manager.get(task_token)
        if endpoint is not None and endpoint._notify_event.is_set():
            raise TaskTimedOut()
    return _send_task_success(self, task_token, outcome)


StepFunctionsParserBackend.send_task_success = _send_task_success_unless_closed

_evaluate_with_timeout = ExecutionState._evaluate_with_timeout


def _evaluate_with_timeout_closing_tokens(self, env):
    # A callback task puts its token in the context object before it runs.
    task = env.states.context_object.context_object_data.get("Task") or {}
    try:
        _evaluate_with_timeout(self, env)
    except EvalTimeoutError:
        endpoint = env.callback_pool_manager.get(task.get("Token"))
        if endpoint is not None:
            endpoint.interrupt_all()
        raise


ExecutionState._evaluate_with_timeout = _evaluate_with_timeout_closing_tokens


# The key conditions on a string sort key that can be answered from the
# keys' own strings, as moto's DynamoType compares them (Python's string
# order, which is UTF-8's byte order, as DynamoDB's).
_STRING_RANGE = {
    "=": lambda v, a: v == a,
    "EQ": lambda v, a: v == a,
    "<": lambda v, a: v < a,
    "LT": lambda v, a: v < a,
    "<=": lambda v, a: v <= a,
    "LE": lambda v, a: v <= a,
    ">": lambda v, a: v > a,
    "GT": lambda v, a: v > a,
    ">=": lambda v, a: v >= a,
    "GE": lambda v, a: v >= a,
    "BETWEEN": lambda v, a, b: a <= v <= b,
    "BEGINS_WITH": lambda v, a: v.startswith(a),
}


class _Partition:
    """A table seen through one partition: all_items() yields the items
    under one partition key only, and of those only the ones whose sort key
    meets the key condition when the condition can be read from the keys'
    strings; everything else is the table's. moto then sorts and compares
    what is left (DynamoType comparisons, a Python call each), so a Query
    costs what it finds, not the partition's size."""

    def __init__(self, table, hash_key, range_comparison=None, range_objs=()):
        self._table = table
        self._hash_key = hash_key
        self._in_range = None
        test = _STRING_RANGE.get(range_comparison)
        bounds = [getattr(obj, "value", None) for obj in range_objs or ()]
        if (
            test is not None
            and table.range_key_type == "S"
            and bounds
            and all(getattr(obj, "type", None) == "S" and isinstance(b, str) for obj, b in zip(range_objs, bounds))
        ):
            self._in_range = lambda key: test(key, *bounds)

    def __getattr__(self, name):
        return getattr(self._table, name)

    def all_items(self):
        # .get, not [], so a Query of a missing partition adds none.
        partition = self._table.items.get(self._hash_key)
        if partition is None:
            return []
        if not self._table.range_key_attr:
            return [partition]
        if self._in_range is None:
            return list(partition.values())
        # The partition's dict is keyed by each item's sort key.
        in_range = self._in_range
        return [item for key, item in partition.items() if isinstance(key.value, str) and in_range(key.value)]


_query = Table.query

# Set while a Query of a table's own items runs on this thread: its found
# items are answered as stored, not deep-copied.
_answering_as_stored = threading.local()


def _query_one_partition(self, hash_key, *args, **kwargs):
    # An index's Query keeps moto's walk: its items are not kept by key.
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _query(self, hash_key, *args, **kwargs)
    range_comparison = args[0] if len(args) > 0 else kwargs.get("range_comparison")
    range_objs = args[1] if len(args) > 1 else kwargs.get("range_objs")
    _answering_as_stored.on = True
    try:
        return _query(_Partition(self, hash_key, range_comparison, range_objs), hash_key, *args, **kwargs)
    finally:
        _answering_as_stored.on = False


def _deepcopy_unless_answering_as_stored(value, memo=None):
    # Table.query's one deep copy is of the list of items it found; every
    # other copy in the module (a scan's items, backups, restores) is made.
    if getattr(_answering_as_stored, "on", False) and isinstance(value, list) and all(isinstance(v, Item) for v in value):
        return list(value)
    return copy.deepcopy(value, memo)


table_module.copy = types.SimpleNamespace(deepcopy=_deepcopy_unless_answering_as_stored, copy=copy.copy)

_SET_ELEMENT_SIZE = {"SS": bytesize, "BS": bytesize, "NS": lambda v: len(str(v))}


def _size(self):
    """DynamoType.size, to the same bytes, without building a DynamoType
    for each value of a map or set."""
    kind, value = self.type, self.value
    if kind == "N":
        return len(str(value))
    element = _SET_ELEMENT_SIZE.get(kind)
    if element is not None:
        return sum(element(v) for v in value)
    if kind == "L":
        return sum(v.size() for v in value)
    if kind == "M":
        return sum(bytesize(k) + (v.size() if isinstance(v, DynamoType) else DynamoType(v).size()) for k, v in value.items())
    if isinstance(value, bool):
        return 1
    return bytesize(value)


_dynamo_type_size = DynamoType.size
DynamoType.size = _size


Table.query = _query_one_partition


def _deepcopy_sharing_tables(value, memo=None):
    # transact_write_items is the one caller that copies a Table; the
    # items it writes are copied (and put back) by the wrapper below.
    if isinstance(value, Table):
        return value
    return copy.deepcopy(value, memo)


dynamodb_models.copy = types.SimpleNamespace(deepcopy=_deepcopy_sharing_tables, copy=copy.copy)


def _transact_key(backend, op_type, op):
    """The table and typed key an operation of a transaction writes, or
    None when moto will refuse the operation anyway."""
    try:
        table = backend.tables[op["TableName"]]
        key = op["Item"] if op_type == "Put" else op["Key"]
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError, AttributeError):
        return None
    return table, hash_key, range_key


_transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items


def _transact_write_items_copying_items(self, transact_items):
    saved = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        op_type, op = next(iter(entry.items()))
        found = _transact_key(self, op_type, op)
        if found is None:
            continue
        table, hash_key, range_key = found
        try:
            before = copy.deepcopy(table.get_item(hash_key, range_key))
        except Exception:  # a key moto refuses: the transaction fails before writing it
            continue
        saved.append((table, hash_key, range_key, before))
    try:
        return _transact_write_items(self, transact_items)
    except Exception:
        for table, hash_key, range_key, item in reversed(saved):
            if table.range_key_attr:
                if item is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            elif item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        raise


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items_copying_items

# One lock for the backend's writes: a condition is checked and the write
# made as one step, as DynamoDB does (reads need none: an item is replaced
# whole, never changed in place).
WRITE_LOCK = threading.RLock()


def _locked(method):
    @functools.wraps(method)
    def call(*args, **kwargs):
        with WRITE_LOCK:
            return method(*args, **kwargs)

    return call


for _name in ("put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items"):
    setattr(dynamodb_models.DynamoDBBackend, _name, _locked(getattr(dynamodb_models.DynamoDBBackend, _name)))

# The types of an attribute value that are the same in moto's answer
# object and on the wire (binary ones are bytes there, base64 on the wire).
_WIRE_SCALARS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
_WIRE_SETS = ("SS", "NS")


def _is_wire_value(value):
    """Whether value, an attribute value of moto's answer, is already what
    the serializer would make of it."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    kind, inner = next(iter(value.items()))
    scalar = _WIRE_SCALARS.get(kind)
    if scalar is not None:
        return isinstance(inner, scalar)
    if kind in _WIRE_SETS:
        return isinstance(inner, list) and all(isinstance(v, str) for v in inner)
    if kind == "L":
        return isinstance(inner, list) and all(_is_wire_value(v) for v in inner)
    if kind == "M":
        return _is_wire_map(inner)
    return False


def _is_wire_map(value):
    return isinstance(value, dict) and all(isinstance(k, str) and _is_wire_value(v) for k, v in value.items())


def _is_attribute_value(shape):
    return getattr(shape, "name", None) == "AttributeValue"


_serialize_type_map = BaseJSONSerializer._serialize_type_map
_serialize_type_structure = BaseJSONSerializer._serialize_type_structure


def _serialize_type_map_of_wire_values(self, serialized, value, shape, key):
    # An item (a map of attribute values) already in its wire form is put
    # in the answer whole; one value the serializer must change sends the
    # whole item its way.
    if _is_attribute_value(shape.value) and _is_wire_map(value):
        self._default_serialize(serialized, dict(value), shape, key)
        return
    _serialize_type_map(self, serialized, value, shape, key)


def _serialize_type_structure_of_wire_value(self, serialized, value, shape, key):
    if key and _is_attribute_value(shape) and _is_wire_value(value):
        self._default_serialize(serialized, value, shape, key)
        return
    _serialize_type_structure(self, serialized, value, shape, key)


BaseJSONSerializer._serialize_type_map = _serialize_type_map_of_wire_values
BaseJSONSerializer._serialize_type_structure = _serialize_type_structure_of_wire_value


# The modules of the installed moto do not change while it runs.
_MOTO_MODULES = frozenset(moto_backends.list_of_moto_modules())
moto_backends.list_of_moto_modules = lambda: _MOTO_MODULES

_get_backend_for_host = DomainDispatcherApplication.get_backend_for_host


def _get_backend_for_host_remembered(self, host):
    # A pure function of the host (the URL patterns are fixed); called
    # under the dispatcher's lock, once or twice per request.
    found = self.__dict__.setdefault("_backend_for_host", {})
    if host not in found:
        found[host] = _get_backend_for_host(self, host)
    return found[host]


DomainDispatcherApplication.get_backend_for_host = _get_backend_for_host_remembered

_log_request = werkzeug.serving.WSGIRequestHandler.log_request


def _log_request_of_error(self, code="-", size="-"):
    try:
        ok = int(code) < 400
    except (TypeError, ValueError):
        ok = False
    if not ok:
        _log_request(self, code, size)


werkzeug.serving.WSGIRequestHandler.log_request = _log_request_of_error


class _OpSeconds:
    """CPU and wall seconds, and calls, by operation, written to a file."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.ops = {}

    def add(self, op, cpu, wall):
        with self.lock:
            entry = self.ops.setdefault(op, {"calls": 0, "cpu": 0.0, "wall": 0.0})
            entry["calls"] += 1
            entry["cpu"] += cpu
            entry["wall"] += wall

    def write_every(self, seconds):
        while True:
            time.sleep(seconds)
            with self.lock:
                data = json.dumps(self.ops, indent=1, sort_keys=True)
            with open(self.path + ".tmp", "w") as f:
                f.write(data)
            os.replace(self.path + ".tmp", self.path)


def _operation(environ):
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    path = environ.get("PATH_INFO", "/").strip("/").split("/", 1)[0]
    return environ.get("REQUEST_METHOD", "") + " /" + path


def _timing(op_seconds):
    answer = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return answer(self, environ, start_response)
        finally:
            op_seconds.add(_operation(environ), time.thread_time() - cpu, time.perf_counter() - wall)

    return call


# A JSONPath of a state machine is the same text every time the state runs:
# parse it once. jsonpath_ng's parse builds a new PLY parser, validating
# its grammar, on every call.
sfn_json_path.parse = functools.lru_cache(maxsize=4096)(sfn_json_path.parse)
sfn_result_path.parse = functools.lru_cache(maxsize=4096)(sfn_result_path.parse)


if os.environ.get("MOTO_OP_SECONDS"):
    _op_seconds = _OpSeconds(os.environ["MOTO_OP_SECONDS"])
    DomainDispatcherApplication.__call__ = _timing(_op_seconds)
    threading.Thread(target=_op_seconds.write_every, args=(2,), daemon=True).start()



def _exceeds_tolerance(record):
    """Whether a map run has more failed children than it tolerates. moto
    keeps both thresholds at 0 when the definition leaves them out, so a
    threshold given is the one that is not 0: with none, any failure; with
    ToleratedFailureCount, more failures than that; with
    ToleratedFailurePercentage, a larger share of the items started. (AWS
    fails a run that exceeds either of two given; this one, both.)"""
    items = record.item_counter
    failed = items.failed.get() + items.timed_out.get() + items.aborted.get()
    total = max(items.total.get(), 1)
    return failed > record.tolerated_failure_count and failed * 100.0 / total > record.tolerated_failure_percentage


_eval_job = DistributedItemProcessorWorker._eval_job

EXCEED_TOLERATED_CAUSE = "The specified tolerated failure threshold was exceeded"


def _eval_job_failing_past_tolerance(self, env, job):
    _eval_job(self, env, job)
    if job.job_output is None and _exceeds_tolerance(self._map_run_record):
        # The job pool stops handing out items once a job closes with an
        # exception, and the map run raises it: the Map state fails with
        # it, so its Catch runs.
        name = StatesErrorName(typ=StatesErrorNameType.StatesExceedToleratedFailureThreshold)
        job.job_output = FailureEventException(
            failure_event=FailureEvent(
                env=self._env,
                error_name=name,
                event_type=HistoryEventType.ExecutionFailed,
                event_details=EventDetails(
                    executionFailedEventDetails=ExecutionFailedEventDetails(
                        error=name.error_name, cause=EXCEED_TOLERATED_CAUSE
                    )
                ),
            )
        )


DistributedItemProcessorWorker._eval_job = _eval_job_failing_past_tolerance


_map_run = DistributedIterationComponent._map_run


def _map_run_keeping_children_events(self, env, eval_input):
    # _eval_body gave the children an event manager of their own just
    # before: keep it with the map run's record.
    eval_input.map_run_record.children_events = env.event_manager
    _map_run(self, env, eval_input)


DistributedIterationComponent._map_run = _map_run_keeping_children_events

_get_execution_history = StepFunctionsParserBackend.get_execution_history


def _get_execution_history_of_map_runs(self, execution_arn):
    if ":mapRun:" in execution_arn:
        for execution in self._get_executions():
            env = execution.exec_worker.env if execution.exec_worker else None
            record = env.map_run_record_pool_manager.get(execution_arn) if env else None
            if record is not None:
                events = getattr(record, "children_events", None)
                return GetExecutionHistoryOutput(events=events.get_event_history() if events else [])
    return _get_execution_history(self, execution_arn)


StepFunctionsParserBackend.get_execution_history = _get_execution_history_of_map_runs


if __name__ == "__main__":
    main()
