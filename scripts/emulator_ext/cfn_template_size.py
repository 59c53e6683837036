"""CloudFormation's limit on a template passed in the request.

moto accepts a ``TemplateBody`` of any size. AWS refuses one over 51,200 bytes
("Template body size in a request: 51,200 bytes"; larger templates must be
uploaded to S3 and passed as ``TemplateURL``) with a ``ValidationError`` in the
form of its request validation: "1 validation error detected: Value '...' at
'templateBody' failed to satisfy constraint: Member must have length less than
or equal to 51200". Here CreateStack, UpdateStack, CreateChangeSet and
ValidateTemplate refuse such a body the same way, before moto parses it.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
"""

import functools
from typing import Any, Callable

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse

TEMPLATE_BODY_LIMIT = 51_200

_OPERATIONS = ("create_stack", "update_stack", "create_change_set", "validate_template")


def _too_large(body: str | None) -> bool:
    return body is not None and len(body.encode("utf-8")) > TEMPLATE_BODY_LIMIT


def _limited(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def operation(self: CloudFormationResponse, *args: Any, **kwargs: Any) -> Any:
        body = self._get_param("TemplateBody")
        if _too_large(body):
            raise ValidationError(
                message="1 validation error detected: Value '"
                + body[:64]
                + "...' at 'templateBody' failed to satisfy constraint: Member must have length "
                f"less than or equal to {TEMPLATE_BODY_LIMIT}"
            )
        return original(self, *args, **kwargs)

    return operation


def install() -> None:
    for name in _OPERATIONS:
        setattr(CloudFormationResponse, name, _limited(getattr(CloudFormationResponse, name)))
