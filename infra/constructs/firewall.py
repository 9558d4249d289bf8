"""What keeps one caller from locking everyone out (docs/security.md#security-review-findings, M-8).

* Route-level throttles on the HTTP API's stage (`route_throttles`): the companies' `/partner` routes, the public
  routes and the SMS-sending proxy requests each get their own, lower limit, so a flood on one of them leaves the
  stage's shared limit to everyone else. Per API key and per source address the function itself counts (shared.partner).
* AWS WAF cannot be attached to an API Gateway HTTP API (only to REST APIs, CloudFront, ALB, AppSync …). `Firewall`
  puts a web ACL with a per-address rate-based rule and AWS's managed rule groups on the apps' CloudFront
  distribution. A CloudFront web ACL exists only in us-east-1, so the ACL and its association are created where the
  stack is deployed there (a CloudFormation condition); elsewhere, and in the China regions, the route throttles and the
  function's own limits are what protects the API.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import CfnCondition, Fn
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from deploy.routes import Route

# Requests a second (steady rate, burst) for the routes that need their own limit; the stage's default covers the rest.
PARTNER_THROTTLE = (20, 40)  # every company's system together, per route
PUBLIC_THROTTLE = (10, 20)
SMS_THROTTLE = (5, 10)  # each call may send an SMS to a resident
SMS_PATHS = ("/proxy-requests",)
# Requests per source address in 5 minutes through the apps' distribution before WAF blocks it.
REQUESTS_PER_ADDRESS_PER_5_MIN = 1000


def _throttle(route: Route) -> tuple[int, int] | None:
    if route.signed:
        return PARTNER_THROTTLE
    if route.public:
        return PUBLIC_THROTTLE
    if route.method == "POST" and route.path.startswith(SMS_PATHS):
        return SMS_THROTTLE
    return None


def route_throttles(routes: Iterable[Route]) -> dict[str, dict[str, float]]:
    """The HTTP API stage's `RouteSettings`: route key → its throttle."""
    settings = {}
    for route in routes:
        limits = _throttle(route)
        if limits:
            rate, burst = limits
            settings[f"{route.method} {route.path}"] = {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
    return settings


class Firewall(Construct):
    """A CloudFront web ACL on the apps' distribution (us-east-1 deployments only, see above)."""

    def __init__(self, scope: Construct, construct_id: str, *, distribution: cloudfront.Distribution) -> None:
        super().__init__(scope, construct_id)
        self.condition = CfnCondition(self, "InUsEast1", expression=Fn.condition_equals(Fn.ref("AWS::Region"), "us-east-1"))

        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        def managed(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(vendor_name="AWS", name=name)
                ),
                visibility_config=visibility(name),
            )

        self.web_acl = wafv2.CfnWebACL(
            self,
            "AppsAcl",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("LinliApps"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="PerAddressRate",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=REQUESTS_PER_ADDRESS_PER_5_MIN, aggregate_key_type="IP", evaluation_window_sec=300
                        )
                    ),
                    visibility_config=visibility("PerAddressRate"),
                ),
                managed("AWSManagedRulesCommonRuleSet", 1),
                managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
            ],
        )
        self.web_acl.cfn_options.condition = self.condition
        distribution.node.default_child.add_property_override(
            "DistributionConfig.WebACLId",
            Fn.condition_if(self.condition.logical_id, self.web_acl.attr_arn, Fn.ref("AWS::NoValue")),
        )
