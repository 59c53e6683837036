"""S3 responses whose XML root element differs from AWS's.

moto serializes an S3 output without an explicit payload member under a root named
``<Operation>Response`` (``GetBucketVersioningResponse``), because botocore's model does
not carry the root names. AWS, and the Smithy model the Rust SDK is generated from, use
the names below; the Rust SDK rejects any other root. boto3 ignores the root, which is why
this only shows from Rust.
"""

from moto.core import serialize

# Root element names from the S3 Smithy model (@xmlName on the output structures).
ROOTS = {
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetBucketAcl": "AccessControlPolicy",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLocation": "LocationConstraint",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetObjectAcl": "AccessControlPolicy",
    "GetObjectTagging": "Tagging",
    "ListBuckets": "ListAllMyBucketsResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
}


def install() -> None:
    original = serialize.RestXMLSerializer._serialized_result_to_response

    def serialized_result_to_response(self, resp, result, shape, serialized_result):
        response = original(self, resp, result, shape, serialized_result)
        root = ROOTS.get(self.operation_model.name)
        wrong = f"{self.operation_model.name}Response"
        if root and self.operation_model.service_model.service_name == "s3":
            body = response.get("body")
            if isinstance(body, bytes):
                body = body.decode()
            if isinstance(body, str) and wrong in body:
                response["body"] = body.replace(f"<{wrong}", f"<{root}", 1).replace(
                    f"</{wrong}>", f"</{root}>", 1
                )
        return response

    serialize.RestXMLSerializer._serialized_result_to_response = serialized_result_to_response
