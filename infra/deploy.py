#!/usr/bin/env python3
"""Deploy a SAM template to the local cloud (moto behind the edge).

What `sam package && sam deploy` would do, done with aws-sam-translator and
boto3 because the SAM CLI is not installed here:

1. zip each function's build/<LogicalId>/bootstrap, upload it to a
   deployment bucket and point CodeUri at it (as `sam package` does);
2. inline each state machine's DefinitionUri;
3. translate SAM to CloudFormation and create or update the stack;
4. apply what moto's CloudFormation ignores: DefinitionSubstitutions (moto's
   Fn::Sub would also turn ASL's "$$." into "$."), point-in-time recovery,
   and bucket notifications if they did not land;
5. create what moto's CloudFormation skips: Cognito user pools and HTTP
   APIs (infra/httpapi.py);
6. print the stack outputs, optionally as an env file.

Values that only exist after the stack is created (a function ARN in a
substitution, a queue ARN in a notification) are resolved through hidden
stack outputs named LocalCloud*, so moto evaluates the intrinsics itself.
"""

import argparse
import copy
import hashlib
import io
import json
import os
import re
import sys
import time
import urllib.request
import zipfile

import boto3
import botocore.config
import botocore.exceptions
from httpapi import HttpApis, demo_user
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

HIDDEN = "LocalCloud"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--template", default="template.yaml")
    p.add_argument("--stack-name", default=os.environ.get("STACK_NAME", "crm-import"))
    p.add_argument("--build-dir", default="build", help="holds <LogicalId>/bootstrap for each function")
    p.add_argument("--deploy-bucket", default="localcloud-deployments")
    p.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    p.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    p.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE")
    p.add_argument("--env-file", help="write the outputs as shell exports to this file")
    args = p.parse_args()

    # samtranslator reads the region (for AWS::Region and ARNs) from boto3.
    os.environ["AWS_DEFAULT_REGION"] = args.region
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    aws = Clients(args.endpoint, args.region)

    with open(args.template) as f:
        sam = yaml_parse(f.read())
    base = os.path.dirname(os.path.abspath(args.template))
    params = dict(kv.split("=", 1) for kv in args.parameter_overrides)

    later = Later()
    package_functions(aws, sam, args.build_dir, args.deploy_bucket)
    machines = inline_state_machines(sam, base, later)
    cfn = transform(copy.deepcopy(sam), params, ManagedPolicyLoader(aws.client("iam")))
    for logical_id, m in machines.items():
        res = cfn["Resources"][logical_id]["Properties"]
        res.pop("DefinitionSubstitutions", None)
        res.pop("Definition", None)
        res["DefinitionString"] = m["placeholder"]
        m["role"] = later.ref(res.get("RoleArn"))
        m["type"] = res.get("StateMachineType", "STANDARD")
    notifications = bucket_notifications(cfn, later)
    apis = HttpApis(aws, args.stack_name, later)
    apis.take_out(cfn)
    later.add_outputs(cfn)

    outputs = deploy_stack(aws, args.stack_name, cfn, params)
    resources = stack_resources(aws, args.stack_name)

    for logical_id, m in machines.items():
        definition = substitute(m["definition"], {k: later.value(v, outputs) for k, v in m["substitutions"].items()})
        put_state_machine(aws, resources[logical_id], definition, later.value(m["role"], outputs), m["type"])
    enable_pitr(aws, cfn, resources)
    enable_versioning(aws, cfn, resources)
    apply_notifications(aws, notifications, resources, later, outputs)
    apis.finish(outputs)
    demo = demo_user(aws, outputs["UserPoolId"]) if "UserPoolId" in outputs else {}
    sync_edge(args.endpoint)

    visible = {k: v for k, v in outputs.items() if not k.startswith(HIDDEN)}
    for k, v in sorted(visible.items()):
        print(f"{k}={v}")
    if args.env_file:
        write_env(args.env_file, visible, args, demo)


class Clients:
    def __init__(self, endpoint, region):
        self.endpoint, self.region = endpoint, region

    def client(self, service):
        cfg = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3})
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region, config=cfg)


class Later:
    """Intrinsics resolved after deploy, through hidden stack outputs."""

    def __init__(self):
        self.values = {}

    def ref(self, value):
        if isinstance(value, str):
            return value
        key = HIDDEN + hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:12]
        self.values[key] = value
        return {"__later__": key}

    def value(self, token, outputs):
        if isinstance(token, dict) and "__later__" in token:
            key = token["__later__"]
            if key not in outputs:
                sys.exit(f"deploy: moto did not resolve {json.dumps(self.values[key])}")
            return outputs[key]
        return token

    def add_outputs(self, cfn):
        out = cfn.setdefault("Outputs", {})
        for key, value in self.values.items():
            out[key] = {"Value": value}


def package_functions(aws, sam, build_dir, bucket):
    """Zip build/<LogicalId>/bootstrap and point CodeUri at the upload."""
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
    except botocore.exceptions.ClientError:
        s3.create_bucket(Bucket=bucket)
    for logical_id, res in sam.get("Resources", {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        path = os.path.join(build_dir, logical_id, "bootstrap")
        if not os.path.exists(path):
            sys.exit(f"deploy: {path} is missing: build the functions first (make build-local)")
        data = zip_bootstrap(path)
        key = f"functions/{logical_id}/{hashlib.sha256(data).hexdigest()}.zip"
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        res.setdefault("Properties", {})["CodeUri"] = {"Bucket": bucket, "Key": key}


def zip_bootstrap(path):
    """A reproducible zip: the same binary gives the same key and sha256,
    so a redeploy without changes leaves the function alone."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = (0o100755 << 16)
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as f:
            z.writestr(info, f.read())
    return buf.getvalue()


def inline_state_machines(sam, base, later):
    """Read each DefinitionUri and take DefinitionSubstitutions out, to be
    applied once the values exist."""
    machines = {}
    for logical_id, res in sam.get("Resources", {}).items():
        if res.get("Type") != "AWS::Serverless::StateMachine":
            continue
        props = res.setdefault("Properties", {})
        if "DefinitionUri" in props:
            uri = props.pop("DefinitionUri")
            if not isinstance(uri, str):
                sys.exit(f"deploy: {logical_id}: only a local DefinitionUri path is supported")
            with open(os.path.join(base, uri)) as f:
                text = f.read()
            props["Definition"] = json.loads(text) if uri.endswith(".json") else yaml_parse(text)
        if "Definition" not in props:
            continue
        subs = props.pop("DefinitionSubstitutions", {}) or {}
        definition = json.dumps(props["Definition"], indent=2)
        machines[logical_id] = {
            "definition": definition,
            "substitutions": {k: later.ref(v) for k, v in subs.items()},
            # Created first with the substitutions' names; replaced after.
            "placeholder": definition,
        }
    return machines


def substitute(definition, values):
    def repl(m):
        name = m.group(1)
        return str(values[name]) if name in values else m.group(0)
    return re.sub(r"\$\{([A-Za-z0-9_.]+)\}", repl, definition)


def put_state_machine(aws, arn, definition, role_arn, sm_type):
    """Create the state machine where moto runs it, under the ARN its
    CloudFormation gave it.

    With execute_state_machine on, moto's Step Functions API serves a second
    backend (the ASL interpreter) that does not see state machines created
    by CloudFormation, so the stack's machine is created again through the
    API, under the same name, with its substitutions applied.
    """
    sfn = aws.client("stepfunctions")
    try:
        sfn.describe_state_machine(stateMachineArn=arn)
    except sfn.exceptions.StateMachineDoesNotExist:
        sfn.create_state_machine(name=arn.split(":")[-1], definition=definition, roleArn=role_arn, type=sm_type)
    else:
        sfn.update_state_machine(stateMachineArn=arn, definition=definition, roleArn=role_arn)


def bucket_notifications(cfn, later):
    """Remember each bucket's NotificationConfiguration, with queue, topic
    and function ARNs resolved later."""
    found = {}
    for logical_id, res in cfn["Resources"].items():
        if res.get("Type") != "AWS::S3::Bucket":
            continue
        nc = res.get("Properties", {}).get("NotificationConfiguration")
        if not nc:
            continue
        found[logical_id] = walk_refs(nc, later)
    return found


def walk_refs(v, later):
    if isinstance(v, dict):
        if len(v) == 1 and next(iter(v)) in ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::ImportValue"):
            return later.ref(v)
        return {k: walk_refs(x, later) for k, x in v.items()}
    if isinstance(v, list):
        return [walk_refs(x, later) for x in v]
    return v


def deploy_stack(aws, name, cfn, params):
    cf = aws.client("cloudformation")
    body = json.dumps(cfn)
    kwargs = dict(
        StackName=name,
        TemplateBody=body,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
    )
    try:
        existing = cf.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except botocore.exceptions.ClientError:
        existing = None
    if existing and existing.endswith("_COMPLETE") and not existing.startswith("DELETE"):
        try:
            cf.update_stack(**kwargs)
        except botocore.exceptions.ClientError as e:
            if "No updates" not in str(e):
                raise
    else:
        cf.create_stack(**kwargs)
    deadline = time.time() + 300
    while True:
        stack = cf.describe_stacks(StackName=name)["Stacks"][0]
        status = stack["StackStatus"]
        if status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        if status.endswith("FAILED") or "ROLLBACK" in status:
            events = cf.describe_stack_events(StackName=name)["StackEvents"]
            reasons = [f'{e["LogicalResourceId"]}: {e.get("ResourceStatusReason")}' for e in events if "FAILED" in e["ResourceStatus"]]
            sys.exit(f"deploy: stack {name} is {status}: {reasons}")
        if time.time() > deadline:
            sys.exit(f"deploy: stack {name} still {status} after 300s")
        time.sleep(0.5)


def stack_resources(aws, name):
    cf = aws.client("cloudformation")
    res = cf.describe_stack_resources(StackName=name)["StackResources"]
    # moto lists some resources without ids: an SQS QueuePolicy without
    # either, a Lambda Permission (an EventBridge rule's) without a physical
    # one. Nothing here needs them.
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in res if r.get("LogicalResourceId") and r.get("PhysicalResourceId")}


def enable_pitr(aws, cfn, resources):
    ddb = aws.client("dynamodb")
    for logical_id, res in cfn["Resources"].items():
        if res.get("Type") != "AWS::DynamoDB::Table":
            continue
        spec = res.get("Properties", {}).get("PointInTimeRecoverySpecification", {})
        if str(spec.get("PointInTimeRecoveryEnabled")).lower() != "true":
            continue
        ddb.update_continuous_backups(
            TableName=resources[logical_id],
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def enable_versioning(aws, cfn, resources):
    """moto's CloudFormation ignores a bucket's VersioningConfiguration; without
    it a second upload under the same key replaces the first one's bytes, and
    the import of the first can no longer read what was uploaded."""
    s3 = aws.client("s3")
    for logical_id, res in cfn["Resources"].items():
        if res.get("Type") != "AWS::S3::Bucket":
            continue
        status = res.get("Properties", {}).get("VersioningConfiguration", {}).get("Status")
        if status == "Enabled":
            s3.put_bucket_versioning(Bucket=resources[logical_id], VersioningConfiguration={"Status": "Enabled"})


def apply_notifications(aws, notifications, resources, later, outputs):
    s3 = aws.client("s3")
    for logical_id, nc in notifications.items():
        bucket = resources[logical_id]
        current = s3.get_bucket_notification_configuration(Bucket=bucket)
        current.pop("ResponseMetadata", None)
        if any(current.get(k) for k in ("QueueConfigurations", "TopicConfigurations", "LambdaFunctionConfigurations")):
            continue
        resolved = resolve(nc, later, outputs)
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=to_api_notifications(resolved))


def resolve(v, later, outputs):
    if isinstance(v, dict):
        if "__later__" in v:
            return later.value(v, outputs)
        return {k: resolve(x, later, outputs) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, later, outputs) for x in v]
    return v


def to_api_notifications(nc):
    """CloudFormation's NotificationConfiguration spelling -> the S3 API's."""
    def filt(c):
        rules = c.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        return {"Filter": {"Key": {"FilterRules": rules}}} if rules else {}
    out = {}
    for c in nc.get("QueueConfigurations", []):
        out.setdefault("QueueConfigurations", []).append({"QueueArn": c["Queue"], "Events": [c["Event"]], **filt(c)})
    for c in nc.get("TopicConfigurations", []):
        out.setdefault("TopicConfigurations", []).append({"TopicArn": c["Topic"], "Events": [c["Event"]], **filt(c)})
    for c in nc.get("LambdaConfigurations", []):
        out.setdefault("LambdaFunctionConfigurations", []).append({"LambdaFunctionArn": c["Function"], "Events": [c["Event"]], **filt(c)})
    if nc.get("EventBridgeConfiguration") is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def sync_edge(endpoint):
    """Let the edge take over new SQS event source mappings now, before any
    message arrives (moto would otherwise try to run them itself)."""
    try:
        req = urllib.request.Request(endpoint.rstrip("/") + "/_edge/esm/sync", method="POST")
        urllib.request.urlopen(req, timeout=30).read()
    except Exception as e:  # LocalStack and AWS have no edge: nothing to do.
        print(f"deploy: no edge at {endpoint} to sync event source mappings ({e})", file=sys.stderr)


def env_name(key):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).upper()


def write_env(path, outputs, args, extra=None):
    """Write what `source` needs to reach the stack: endpoint, region, dummy
    credentials, and each output under its UPPER_SNAKE name (BucketName ->
    BUCKET_NAME and BUCKET)."""
    header = {
        "AWS_ENDPOINT_URL": args.endpoint,
        "AWS_REGION": args.region,
        "AWS_DEFAULT_REGION": args.region,
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        "STACK_NAME": args.stack_name,
    }
    lines = {}
    queue_urls = [k for k in outputs if k.endswith("QueueUrl") and not re.search(r"Dead|Dlq|DLQ", k)]
    for k, v in outputs.items():
        name = env_name(k)
        lines[name] = v
        if name.endswith("_NAME"):
            lines.setdefault(name[: -len("_NAME")], v)
    # QUEUE_URL is the intake queue: the only queue, or the one named Intake.
    intake = [k for k in queue_urls if "Intake" in k] if len(queue_urls) > 1 else queue_urls
    if len(intake) == 1:
        lines.setdefault("QUEUE_URL", outputs[intake[0]])
    # The edge plays the HTTP API under /_api/{apiId} (infra/edge/httpapi.go).
    if "ApiId" in outputs:
        lines["API_URL"] = args.endpoint.rstrip("/") + "/_api/" + outputs["ApiId"]
        # The wizard's page, served by the API (template.yaml WebFunction).
        lines["WEB_URL"] = lines["API_URL"] + "/app/"
    lines.update(extra or {})
    with open(path, "w") as f:
        for k, v in list(header.items()) + sorted(lines.items()):
            f.write(f"export {k}={shell_quote(v)}\n")


def shell_quote(s):
    return "'" + str(s).replace("'", "'\\''") + "'"


if __name__ == "__main__":
    main()
