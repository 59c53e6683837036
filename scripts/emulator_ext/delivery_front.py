"""``POST /_irready/deliver``: advance time by one round of log deliveries.

On AWS, CloudTrail, VPC flow logs, AWS Config, GuardDuty, Route 53 Resolver
and the workloads' own logs (load balancers, S3 server access logs, Redshift,
CloudFront, WAF, API Gateway) deliver continuously, and a bucket, key or log
group policy changed out of band shows as a failed delivery minutes later. moto delivers nothing. This WSGI front, in
front of moto's application, runs every registered delivery
(``delivery.DELIVERIES``) of every account and Region once, each
re-evaluating the policies as they are now, and answers with JSON::

    {"deliveries": [{"delivery": "cloudtrail", "account": "...", "region": "...",
                     "resource": "...", "ok": true, "objects": ["AWSLogs/..."]},
                    {"delivery": "vpc-flow-logs", ..., "ok": false,
                     "error": "AccessDenied", "detail": {...}}],
     "delivered": 3, "failed": 1}

Every other request goes to moto unchanged. ``scripts/emulator deliver --port N``
calls it.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from . import delivery

PATH = "/_irready/deliver"


class DeliveryFront:
    """WSGI middleware serving ``POST /_irready/deliver``."""

    def __init__(self, application: Callable[..., Iterable[bytes]]):
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.application(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            body = json.dumps({"message": f"{PATH} takes POST"}).encode()
            start_response("405 Method Not Allowed", [("Content-Type", "application/json"), ("Allow", "POST")])
            return [body]
        reports = delivery.deliver_all()
        failed = sum(1 for report in reports if not report.get("ok"))
        body = json.dumps(
            {"deliveries": reports, "delivered": len(reports) - failed, "failed": failed}, indent=1, default=str
        ).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
