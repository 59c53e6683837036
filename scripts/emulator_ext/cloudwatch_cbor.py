"""CloudWatch over the Smithy RPC v2 CBOR protocol, in front of moto.

``aws-sdk-cloudwatch`` (Rust) speaks only RPC v2 CBOR: ``POST
/service/GraniteServiceVersion20100801/operation/<Operation>`` with the header
``smithy-protocol: rpc-v2-cbor`` and a CBOR body. moto 5.2 serves CloudWatch
over the query and JSON protocols only, so those requests get HTTP 404.

This WSGI front translates each such request into the equivalent JSON-protocol
request (``X-Amz-Target: GraniteServiceVersion20100801.<Operation>``), hands it
to moto's own application with the caller's SigV4 ``Authorization`` header
(from which moto takes the account, via the access key, and the region, via
the credential scope, exactly as for every other request), and translates the
reply back to CBOR. Shapes come from botocore's CloudWatch model, so every
operation moto's CloudWatch implements (DescribeAlarms, PutMetricAlarm,
DeleteAlarms, PutMetricData, GetMetricData, ListMetrics, ...) is served, with
timestamps as CBOR tag 1 over a double and doubles as floats, as the Smithy model defines.
Errors are a CBOR map with ``__type`` and ``message`` plus the
``x-amzn-query-error`` header that query-compatible clients read.
"""

import datetime
import io
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import botocore.parsers
import botocore.serialize
import botocore.session
import cbor2
from botocore.model import OperationModel, OperationNotFoundError, Shape

_TARGET_PREFIX = "GraniteServiceVersion20100801"
_PATH_PREFIX = f"/service/{_TARGET_PREFIX}/operation/"


def _status_code(status: str) -> int:
    return int(status.split(" ", 1)[0])


def _to_model(value: Any, shape: Shape | None) -> Any:
    """Give a parsed reply the exact CBOR types its shape calls for."""
    if value is None or shape is None:
        return value
    if shape.type_name == "structure":
        return {
            name: _to_model(item, shape.members.get(name))
            for name, item in value.items()
            if item is not None and name in shape.members
        }
    if shape.type_name == "list":
        return [_to_model(item, shape.member) for item in value]
    if shape.type_name == "map":
        return {key: _to_model(item, shape.value) for key, item in value.items()}
    if shape.type_name in ("double", "float"):
        return float(value)
    if shape.type_name == "timestamp":
        # Epoch seconds as a double under tag 1, as AWS services send them.
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return cbor2.CBORTag(1, value.timestamp())
    return value


class CloudWatchCborFront:
    """WSGI middleware serving CloudWatch RPC v2 CBOR requests from moto."""

    def __init__(self, application: Callable[..., Iterable[bytes]]):
        self.application = application
        self.model = botocore.session.get_session().get_service_model("cloudwatch")
        self.serializer = botocore.serialize.create_serializer("json", include_validation=False)
        self.parser = botocore.parsers.create_parser("json")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "POST" or not path.startswith(_PATH_PREFIX):
            return self.application(environ, start_response)
        try:
            operation = self.model.operation_model(path[len(_PATH_PREFIX) :])
        except OperationNotFoundError:
            return self._reply(start_response, 404, self._error("UnknownOperationException", "Unknown operation"))

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            parameters = cbor2.loads(body) if body else {}
        except cbor2.CBORDecodeError as error:
            return self._reply(start_response, 400, self._error("SerializationException", str(error)))

        status, headers, reply = self._call_moto(environ, operation, parameters)
        try:
            parsed = self.parser.parse(
                {"status_code": status, "headers": headers, "body": reply}, operation.output_shape
            )
        except botocore.parsers.ResponseParserError:
            # moto failed outright (an HTML error page, not a JSON error).
            return self._reply(start_response, 500, self._error("InternalFailure", reply.decode(errors="replace")))
        if status >= 300:
            error = parsed.get("Error", {})
            return self._reply(
                start_response, status, self._error(error.get("Code", "InternalFailure"), error.get("Message", ""))
            )
        if operation.output_shape is None:
            return self._reply(start_response, status, (b"", []))
        parsed.pop("ResponseMetadata", None)
        encoded = cbor2.dumps(_to_model(parsed, operation.output_shape))
        return self._reply(start_response, status, (encoded, []))

    def _call_moto(
        self, environ: dict[str, Any], operation: OperationModel, parameters: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        """Run the operation through moto's JSON-protocol handler."""
        request = self.serializer.serialize_to_request(parameters, operation)
        body = request["body"] if isinstance(request["body"], bytes) else request["body"].encode()
        inner = {key: value for key, value in environ.items() if key not in ("HTTP_SMITHY_PROTOCOL", "HTTP_ACCEPT")}
        inner.update(
            {
                "PATH_INFO": "/",
                "QUERY_STRING": "",
                "CONTENT_TYPE": request["headers"]["Content-Type"],
                "CONTENT_LENGTH": str(len(body)),
                "HTTP_X_AMZ_TARGET": request["headers"]["X-Amz-Target"],
                "wsgi.input": io.BytesIO(body),
            }
        )
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = _status_code(status)
            captured["headers"] = dict(headers)

        chunks = self.application(inner, capture)
        try:
            reply = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return captured["status"], captured["headers"], reply

    @staticmethod
    def _error(code: str, message: str) -> tuple[bytes, list[tuple[str, str]]]:
        return (
            cbor2.dumps({"__type": code, "message": message}),
            [("x-amzn-query-error", f"{code};Sender")],
        )

    @staticmethod
    def _reply(
        start_response: Callable[..., Any], status: int, reply: tuple[bytes, list[tuple[str, str]]]
    ) -> Iterable[bytes]:
        body, extra_headers = reply
        headers = [
            ("smithy-protocol", "rpc-v2-cbor"),
            ("Content-Length", str(len(body))),
            *extra_headers,
        ]
        if body:
            headers.append(("Content-Type", "application/cbor"))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]
