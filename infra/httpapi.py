"""Cognito user pools and API Gateway HTTP APIs for deploy.py.

moto's CloudFormation creates neither (AWS::Cognito::* and
AWS::ApiGatewayV2::* are skipped), so they are taken out of the translated
template before the stack is created and made through their own APIs:
the user pool, its app client and groups first (the authorizer's issuer
and audience name them), the API and its JWT authorizer, and, once the
stack exists and the function's ARN is known, one Lambda proxy
integration (payload 2.0) and one route per path and method of the API's
OpenAPI body. References to them elsewhere in the template (outputs) are
replaced by their ids. moto stores all this and executes none of it: the
edge plays the HTTP API (infra/edge/httpapi.go).
"""

import re

COGNITO = ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup")
APIGW = ("AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage")


class HttpApis:
    def __init__(self, aws, stack_name, later):
        self.aws, self.stack_name, self.later = aws, stack_name, later
        self.ids = {}  # logical id -> physical id
        self.apis = []  # (logical id, api id, OpenAPI body)

    def take_out(self, cfn):
        """Remove what moto cannot create from cfn, make the user pools and
        APIs, and replace references to them by their ids."""
        res = cfn["Resources"]
        taken = {k: v for k, v in res.items() if v["Type"] in COGNITO + APIGW}
        if not taken:
            return
        for k in taken:
            del res[k]
        # The functions' permissions for API Gateway name the API by Ref;
        # the edge invokes the function whatever they say.
        for k in [k for k, v in res.items() if v["Type"] == "AWS::Lambda::Permission" and refers(v, set(taken))]:
            del res[k]
        order = {t: i for i, t in enumerate(COGNITO + APIGW)}
        for k, v in sorted(taken.items(), key=lambda kv: order[kv[1]["Type"]]):
            props = self.local(v.get("Properties", {}))
            make = {
                "AWS::Cognito::UserPool": self.user_pool,
                "AWS::Cognito::UserPoolClient": self.user_pool_client,
                "AWS::Cognito::UserPoolGroup": self.user_pool_group,
                "AWS::ApiGatewayV2::Api": self.http_api,
                "AWS::ApiGatewayV2::Stage": lambda k, p: None,
            }[v["Type"]]
            make(k, props)
        for section in ("Resources", "Outputs"):
            if section in cfn:
                cfn[section] = self.local(cfn[section], partial=True)

    def local(self, v, partial=False):
        """Resolve Ref and Fn::Sub of the resources made here and of the
        pseudo parameters; an integration URI (the function's ARN) is left
        for the stack to resolve (Later)."""
        if isinstance(v, list):
            return [self.local(x, partial) for x in v]
        if not isinstance(v, dict):
            return v
        if set(v) == {"Ref"} and v["Ref"] in self.ids:
            return self.ids[v["Ref"]]
        if set(v) == {"Fn::Sub"} and isinstance(v["Fn::Sub"], str):
            s = re.sub(r"\$\{([A-Za-z0-9:]+)\}", lambda m: self.ids.get(m.group(1), self.pseudo(m.group(1), m.group(0))), v["Fn::Sub"])
            return s if "${" not in s else {"Fn::Sub": s}
        return {k: self.local(x, partial) for k, x in v.items()}

    def pseudo(self, name, unresolved):
        region = self.aws.region
        return {
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
        }.get(name, unresolved)

    def user_pool(self, logical_id, p):
        idp = self.aws.client("cognito-idp")
        name = p.get("UserPoolName", f"{self.stack_name}-{logical_id}")
        found = [u["Id"] for u in idp.list_user_pools(MaxResults=60)["UserPools"] if u["Name"] == name]
        if found:
            self.ids[logical_id] = found[0]
            return
        kwargs = {k: p[k] for k in ("Policies", "AdminCreateUserConfig", "UsernameAttributes", "AutoVerifiedAttributes") if k in p}
        if "Schema" in p:
            kwargs["Schema"] = p["Schema"]
        self.ids[logical_id] = idp.create_user_pool(PoolName=name, **kwargs)["UserPool"]["Id"]

    def user_pool_client(self, logical_id, p):
        idp = self.aws.client("cognito-idp")
        pool, name = p["UserPoolId"], p.get("ClientName", logical_id)
        found = [c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"] if c["ClientName"] == name]
        if found:
            self.ids[logical_id] = found[0]
            return
        kwargs = {k: p[k] for k in ("GenerateSecret", "ExplicitAuthFlows", "ReadAttributes", "WriteAttributes") if k in p}
        self.ids[logical_id] = idp.create_user_pool_client(UserPoolId=pool, ClientName=name, **kwargs)["UserPoolClient"]["ClientId"]

    def user_pool_group(self, logical_id, p):
        idp = self.aws.client("cognito-idp")
        try:
            idp.create_group(UserPoolId=p["UserPoolId"], GroupName=p["GroupName"])
        except idp.exceptions.GroupExistsException:
            pass
        self.ids[logical_id] = p["GroupName"]

    def http_api(self, logical_id, p):
        """Create the API and its authorizers now; its routes wait for the
        function's ARN (finish)."""
        gw = self.aws.client("apigatewayv2")
        body = p["Body"]
        name = f"{self.stack_name}-{logical_id}"
        for api in gw.get_apis()["Items"]:
            if api["Name"] == name:
                gw.delete_api(ApiId=api["ApiId"])
        cors = body.get("x-amazon-apigateway-cors", {})
        cors_cfg = {k[0].upper() + k[1:]: v for k, v in cors.items()}
        api_id = gw.create_api(Name=name, ProtocolType="HTTP", CorsConfiguration=cors_cfg)["ApiId"]
        self.ids[logical_id] = api_id
        authorizers = {}
        for scheme, s in body.get("components", {}).get("securitySchemes", {}).items():
            a = s.get("x-amazon-apigateway-authorizer", {})
            if a.get("type") != "jwt":
                continue
            jwt = a["jwtConfiguration"]
            authorizers[scheme] = gw.create_authorizer(
                ApiId=api_id, Name=scheme, AuthorizerType="JWT",
                IdentitySource=[a.get("identitySource", "$request.header.Authorization")],
                JwtConfiguration={"Issuer": jwt["issuer"], "Audience": jwt["audience"]},
            )["AuthorizerId"]
        routes = []
        for path, methods in body.get("paths", {}).items():
            for method, op in methods.items():
                integ = op["x-amazon-apigateway-integration"]
                security = [next(iter(s)) for s in op.get("security", []) if s]
                routes.append({
                    "RouteKey": f"{method.upper()} {path}",
                    "Uri": self.later.ref(integ["uri"]),
                    "Payload": integ.get("payloadFormatVersion", "2.0"),
                    "Authorizer": authorizers.get(security[0]) if security else None,
                })
        self.apis.append((api_id, routes))

    def finish(self, outputs):
        """After the stack exists: one integration per function, and the
        routes."""
        gw = self.aws.client("apigatewayv2")
        for api_id, routes in self.apis:
            integrations = {}
            for r in routes:
                uri = self.later.value(r["Uri"], outputs)
                if uri not in integrations:
                    integrations[uri] = gw.create_integration(
                        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=uri,
                        IntegrationMethod="POST", PayloadFormatVersion=r["Payload"],
                    )["IntegrationId"]
                kwargs = {"AuthorizationType": "NONE"}
                if r["Authorizer"]:
                    kwargs = {"AuthorizationType": "JWT", "AuthorizerId": r["Authorizer"]}
                gw.create_route(ApiId=api_id, RouteKey=r["RouteKey"], Target="integrations/" + integrations[uri], **kwargs)


# The demo tenant's administrator, made at deploy so that `make up` can say
# how to log in (cmd/crmimport login) without any step by hand. The local
# cloud only: deploy.py makes it for its own endpoint, never on AWS.
DEMO_TENANT = "demo"
DEMO_USER = "admin@demo.example"
DEMO_PASSWORD = "Demo-Admin-Password-1"
DEMO_GROUP = "administrator"


def demo_user(aws, pool_id):
    """Create (or reset) the demo administrator in the pool and return the
    lines for the env file: DEMO_TENANT, DEMO_USER, DEMO_PASSWORD."""
    idp = aws.client("cognito-idp")
    try:
        idp.admin_create_user(
            UserPoolId=pool_id, Username=DEMO_USER, MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "custom:tenant", "Value": DEMO_TENANT},
                {"Name": "email", "Value": DEMO_USER},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    except idp.exceptions.UsernameExistsException:
        pass
    idp.admin_set_user_password(UserPoolId=pool_id, Username=DEMO_USER, Password=DEMO_PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=DEMO_USER, GroupName=DEMO_GROUP)
    return {"DEMO_TENANT": DEMO_TENANT, "DEMO_USER": DEMO_USER, "DEMO_PASSWORD": DEMO_PASSWORD}


def refers(v, names):
    """Whether v holds a Ref, GetAtt or ${...} of one of names."""
    if isinstance(v, list):
        return any(refers(x, names) for x in v)
    if isinstance(v, dict):
        if v.get("Ref") in names:
            return True
        return any(refers(x, names) for x in v.values())
    if isinstance(v, str):
        return any("${" + n + "}" in v or "${" + n + "." in v for n in names)
    return False
