"""Evaluate IAM-language policy documents against one request, as AWS documents it.

What this module owns: the IAM policy *language*. Given one or more policy
documents (a bucket policy, a KMS key policy, a role's trust policy, a role's
identity policies) and a fully built :class:`Request` (principal, action,
resource, request context), it answers ALLOW, EXPLICIT_DENY or IMPLICIT_DENY,
and names the statement that decided.

What it does not own: any knowledge of a service. It does not know which
principal CloudTrail, Config or VPC Flow Logs deliver as, which condition keys
S3 or KMS put in the request context, which policies apply to a request, or how
cross-account access combines a resource policy with the caller's identity
policies. Callers build the :class:`Request` and choose the policies; this
module only applies the language rules to them.

The rules followed, and where they come from (AWS IAM User Guide):

* Evaluation: an explicit deny in any applicable statement wins, else an allow,
  else the request is implicitly denied.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
* Principal / NotPrincipal:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
* Action / NotAction, Resource / NotResource:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
* Condition, its operators, IfExists, Null, set operators:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
* Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

A malformed policy (unknown condition operator, unknown principal type, an
Effect other than Allow/Deny, a non-numeric value under a Numeric operator, ...)
raises ``ValueError`` instead of being guessed at. Policies are checked whole,
before any statement is matched, so a bad statement fails every request.
"""

from __future__ import annotations

import base64
import binascii
import enum
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

__all__ = [
    "Decision",
    "Principal",
    "Request",
    "Result",
    "evaluate",
    "evaluate_all",
    "matches_principal",
]

PolicyDocument: TypeAlias = str | bytes | Mapping[str, Any] | None

# Policy language versions. Only 2012-10-17 knows policy variables; under the
# older version (also the default when Version is absent) "${...}" is literal.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
_VERSION_CURRENT = "2012-10-17"
_VERSIONS = (_VERSION_CURRENT, "2008-10-17")

_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
_ACCOUNT_ID = re.compile(r"^\d{12}$")


# --------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """The principal making the request.

    ``kind`` is the Principal-element key that would name it: ``"Service"``
    (id ``"cloudtrail.amazonaws.com"``), ``"AWS"`` (id an IAM/STS ARN such as
    ``arn:aws:iam::111122223333:role/x``, ``arn:aws:sts::111122223333:assumed-role/x/s``,
    ``arn:aws:iam::111122223333:root`` or a bare 12-digit account id, meaning the
    account root), ``"Federated"`` or ``"CanonicalUser"``.
    """

    kind: str
    id: str

    def __post_init__(self) -> None:
        if self.kind not in _PRINCIPAL_KINDS:
            raise ValueError(f"unknown principal kind {self.kind!r}; expected one of {_PRINCIPAL_KINDS}")
        if not self.id:
            raise ValueError("principal id must not be empty")

    @classmethod
    def service(cls, name: str) -> Principal:
        return cls("Service", name)

    @classmethod
    def aws(cls, arn: str) -> Principal:
        return cls("AWS", arn)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Request:
    """One authorization request: who does what to which resource, with which context.

    ``context`` maps condition keys to values (``str``, ``bool``, ``int`` or a
    list of strings for multivalued keys). Key names are matched
    case-insensitively, as the IAM docs specify for condition keys.
    """

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)


class Decision(enum.Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


@dataclass(frozen=True)
class Result:
    """The outcome of an evaluation.

    ``statement`` is the deciding statement's ``Sid``, or its index in the
    policy's statement list when it has no Sid (so test it with ``is None``,
    index 0 is falsy): the denying statement for EXPLICIT_DENY, the first
    allowing one for ALLOW, ``None`` for IMPLICIT_DENY.
    ``policy`` is the index of the deciding policy within ``evaluate_all``'s
    input (``0`` for ``evaluate``; ``None`` for IMPLICIT_DENY).
    """

    decision: Decision
    statement: str | int | None
    reason: str
    policy: int | None = None

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def evaluate(policy: PolicyDocument, request: Request) -> Result:
    """Evaluate one policy document (JSON text or parsed) against ``request``.

    ``None`` or an empty document, or one without statements, allows nothing:
    IMPLICIT_DENY. Within the document any applicable Deny statement wins over
    any applicable Allow statement (evaluation-logic page, "explicit deny").
    """
    return evaluate_all([policy], request)


def evaluate_all(policies: Iterable[PolicyDocument], request: Request) -> Result:
    """Evaluate several policies that all apply to the same request.

    Any explicit deny in any of them wins, else any allow, else implicit deny.
    This is the rule for a set of policies of one kind (a role's inline and
    managed identity policies, say). Combining *different* kinds (resource
    policy vs. identity policy vs. SCP, same- vs. cross-account) is left to the
    caller, which knows which kinds apply.
    """
    parsed = [_parse_policy(p) for p in policies]  # validate everything first
    ctx = _Context(request.context)
    allow: Result | None = None
    misses: list[str] = []
    for p_index, statements in enumerate(parsed):
        for statement in statements:
            outcome = statement.applies(request, ctx)
            label = f"statement {statement.label!r}" if isinstance(statement.label, str) else f"statement #{statement.label}"
            if len(parsed) > 1:
                label = f"policy #{p_index} {label}"
            if outcome is not None:
                misses.append(f"{label}: {outcome}")
                continue
            if statement.effect == "Deny":
                return Result(
                    Decision.EXPLICIT_DENY,
                    statement.label,
                    f"{label} explicitly denies {request.action} on {request.resource} to {request.principal}",
                    p_index,
                )
            if allow is None:
                allow = Result(
                    Decision.ALLOW,
                    statement.label,
                    f"{label} allows {request.action} on {request.resource} to {request.principal}",
                    p_index,
                )
    if allow is not None:
        return allow
    detail = "; ".join(misses) if misses else "no statements"
    return Result(
        Decision.IMPLICIT_DENY,
        None,
        f"no statement allows {request.action} on {request.resource} to {request.principal} ({detail})",
        None,
    )


# --------------------------------------------------------------------------
# Request context
# --------------------------------------------------------------------------


class _Context:
    """Request context with case-insensitive key lookup."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._values: dict[str, Any] = {}
        for key, value in raw.items():
            folded = key.lower()
            if folded in self._values:
                raise ValueError(f"request context has condition key {key!r} twice (keys are case-insensitive)")
            self._values[folded] = value

    def get(self, key: str) -> tuple[bool, Any]:
        """(present, value). A value of None counts as absent."""
        value = self._values.get(key.lower())
        return value is not None, value


def _is_multi(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def _scalar_text(value: Any) -> str:
    """A context scalar as the string the String/ARN/Bool operators compare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise ValueError(f"unsupported request context value {value!r}")


# --------------------------------------------------------------------------
# Policy variables and wildcard patterns
# --------------------------------------------------------------------------


class _Unresolved(Exception):
    """A policy variable could not be resolved from the request context.

    The variables page says an unresolvable variable "might cause the entire
    statement to be invalid" and that matching a key that is "not present ...
    fails and causes the statement to be invalid". We therefore never match a
    statement containing one: it neither allows nor denies.
    """


# A template is a sequence of tokens: ("lit", text) or ("*",) / ("?",) wildcards.
# Text that comes from a policy variable is always literal, so a "*" inside a
# resolved value (or ${*}) never acts as a wildcard.
_Token = tuple[str, str]
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")


def _tokenize(template: str, ctx: _Context, variables: bool, wildcards: bool) -> list[_Token]:
    tokens: list[_Token] = []

    def literal(text: str) -> None:
        if not text:
            return
        if wildcards:
            for piece in re.split(r"([*?])", text):
                if piece in ("*", "?"):
                    tokens.append((piece, piece))
                elif piece:
                    tokens.append(("lit", piece))
        else:
            tokens.append(("lit", text))

    position = 0
    if variables:
        for match in _VARIABLE.finditer(template):
            literal(template[position : match.start()])
            tokens.append(("lit", _resolve_variable(match.group(1), ctx)))
            position = match.end()
    literal(template[position:])
    return tokens


def _resolve_variable(body: str, ctx: _Context) -> str:
    # Special characters: ${*}, ${?}, ${$} stand for the literal character.
    if body in ("*", "?", "$"):
        return body
    default: str | None = None
    with_default = _DEFAULT.match(body)
    if with_default:
        body, default = with_default.group(1), with_default.group(2)
    present, value = ctx.get(body.strip())
    if not present:
        if default is not None:
            return default
        raise _Unresolved(f"policy variable ${{{body}}} is not in the request context")
    if _is_multi(value):
        # "you cannot use a multivalued context key as a policy variable"
        raise _Unresolved(f"policy variable ${{{body}}} names a multivalued context key")
    return _scalar_text(value)


def _tokens_text(tokens: Sequence[_Token]) -> str:
    return "".join(text for _, text in tokens)


def _tokens_regex(tokens: Sequence[_Token], ignore_case: bool = False) -> re.Pattern[str]:
    parts = []
    for kind, text in tokens:
        if kind == "*":
            parts.append(".*")
        elif kind == "?":
            parts.append(".")
        else:
            parts.append(re.escape(text))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _split_arn_tokens(tokens: Sequence[_Token]) -> list[list[_Token]]:
    """Split a token stream into at most six colon-delimited ARN components."""
    components: list[list[_Token]] = [[]]
    for kind, text in tokens:
        if kind != "lit":
            components[-1].append((kind, text))
            continue
        pieces = text.split(":")
        for i, piece in enumerate(pieces):
            if i > 0:
                if len(components) < 6:
                    components.append([])
                else:
                    components[-1].append(("lit", ":"))
            if piece:
                components[-1].append(("lit", piece))
    return components


def _arn_like(pattern: Sequence[_Token], value: str) -> bool:
    """ArnLike/ArnEquals and Resource matching.

    "Each of the six colon-delimited components of the ARN is checked
    separately and each can include multi-character match wildcards (*) or
    single-character match wildcards (?)" (condition operators page, ARN
    section); the Resource page likewise allows wildcards "within any ARN
    segment". The sixth component (the resource part) keeps any further colons.
    A bare "*" matches anything. Otherwise a pattern or value that is not a
    six-component ARN does not match (no guessing).
    """
    if len(pattern) == 1 and pattern[0][0] == "*":
        return True
    value_parts = value.split(":", 5)
    pattern_parts = _split_arn_tokens(pattern)
    if len(value_parts) != 6 or len(pattern_parts) != 6:
        return False
    return all(_tokens_regex(p).fullmatch(v) is not None for p, v in zip(pattern_parts, value_parts))


def _glob(pattern: str, value: str, ignore_case: bool) -> bool:
    return _tokens_regex(_tokenize(pattern, _Context({}), False, True), ignore_case).fullmatch(value) is not None


# --------------------------------------------------------------------------
# Principals
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def _parse_arn(text: str) -> _Arn | None:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return _Arn(*parts[1:])


def _account_of_entry(value: str) -> str | None:
    """The account an AWS principal entry names as a whole, if it names one.

    "you can use the account ARN (arn:aws:iam::account-ID:root), or a shortened
    form that consists of the "AWS": prefix followed by the account ID" and
    "Using the account ARN in the Principal element does not limit permissions
    to only the root user of the account" (Principal page, account principals).
    """
    if _ACCOUNT_ID.match(value):
        return value
    arn = _parse_arn(value)
    if arn and arn.service == "iam" and arn.resource == "root":
        return arn.account
    return None


def _principal_account(principal: Principal) -> str | None:
    if principal.kind != "AWS":
        return None
    if _ACCOUNT_ID.match(principal.id):
        return principal.id
    arn = _parse_arn(principal.id)
    if arn and arn.service in ("iam", "sts") and arn.account:
        return arn.account
    return None


def _session_role(principal: Principal) -> tuple[str, str, str] | None:
    """(partition, account, role name) of an assumed-role session principal."""
    arn = _parse_arn(principal.id) if principal.kind == "AWS" else None
    if arn and arn.service == "sts" and arn.resource.startswith("assumed-role/"):
        pieces = arn.resource.split("/")
        if len(pieces) >= 3:
            return arn.partition, arn.account, pieces[1]
    return None


def _role_entry(value: str) -> tuple[str, str, str] | None:
    """(partition, account, role name) of a role ARN entry; the name is the last path segment."""
    arn = _parse_arn(value)
    if arn and arn.service == "iam" and arn.resource.startswith("role/"):
        return arn.partition, arn.account, arn.resource.rsplit("/", 1)[-1]
    return None


def _normalize_principal_element(element: Any, where: str) -> dict[str, list[str]] | None:
    """``None`` means "*" (every principal); otherwise kind -> values."""
    if element == "*":
        return None
    if isinstance(element, str):
        raise ValueError(f"{where}: a string principal must be \"*\", got {element!r}")
    if not isinstance(element, Mapping) or not element:
        raise ValueError(f"{where}: principal must be \"*\" or a non-empty mapping, got {element!r}")
    normalized: dict[str, list[str]] = {}
    for kind, values in element.items():
        if kind not in _PRINCIPAL_KINDS:
            raise ValueError(f"{where}: unknown principal type {kind!r}")
        listed = _string_list(values, f"{where}.{kind}")
        if kind == "AWS" and "*" in listed:
            # Principal page, "All principals": "Principal": "*" and
            # {"AWS": "*"} are equivalent, and a wildcard there "grants
            # access to all users". We follow that literally: all principals.
            return None
        normalized[kind] = listed
    return normalized


def matches_principal(statement_principal: Any, principal: Principal) -> bool:
    """Whether a statement's ``Principal`` element names ``principal``.

    * ``"*"`` and ``{"AWS": "*"}``: every principal, service principals included
      (Principal page, "All principals").
    * ``{"Service": ...}``, ``{"Federated": ...}``, ``{"CanonicalUser": ...}``:
      an exact, case-sensitive match of the id. "You cannot use a wildcard to
      match part of a principal name or ARN", so "*" inside a value is literal.
    * ``{"AWS": "111122223333"}`` or ``{"AWS": "arn:aws:iam::111122223333:root"}``:
      every IAM principal of that account (root, users, roles, role sessions).
    * ``{"AWS": <role ARN>}``: that role, and its assumed-role sessions
      ``arn:aws:sts::<account>:assumed-role/<role name>/<session>`` (a role
      session's permissions derive from the role, Principal page "IAM role
      principals"; the session ARN carries the role name without its path).
    * any other ARN (user, assumed-role session, federated user): exact match.
    """
    normalized = _normalize_principal_element(statement_principal, "Principal")
    return _principal_named(normalized, principal)


def _principal_named(normalized: dict[str, list[str]] | None, principal: Principal) -> bool:
    if normalized is None:
        return True
    values = normalized.get(principal.kind, [])
    if principal.kind != "AWS":
        return principal.id in values
    account = _principal_account(principal)
    session = _session_role(principal)
    for value in values:
        if value == principal.id:
            return True
        entry_account = _account_of_entry(value)
        if entry_account is not None and entry_account == account:
            return True
        role = _role_entry(value)
        if role is not None and session is not None and role == session:
            return True
    return False


def _not_principal_excludes(normalized: dict[str, list[str]] | None, principal: Principal) -> bool:
    """Whether a ``NotPrincipal`` element exempts ``principal`` from its statement.

    The NotPrincipal page: AWS "might validate the account first, then the
    role, and then the assumed-role user", which is why it tells you to list
    the session, the role *and* the account. We take the conservative reading:
    a principal is exempt only when every identity in its chain is listed
    (session ARN, its role's ARN, its account; or user ARN and its account; or
    the account alone for the root). Otherwise the statement applies to it.
    """
    if normalized is None:
        return True
    values = normalized.get(principal.kind, [])
    if principal.kind != "AWS":
        return principal.id in values
    account = _principal_account(principal)
    account_listed = account is not None and any(_account_of_entry(v) == account for v in values)
    if _account_of_entry(principal.id) is not None:  # the account root itself
        return account_listed
    self_listed = principal.id in values
    session = _session_role(principal)
    if session is not None:
        role_listed = any(_role_entry(v) == session for v in values)
        return self_listed and role_listed and account_listed
    return self_listed and account_listed


# --------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------

# A matcher compares one request value (already a scalar) against one policy
# value (resolved per request, since it may hold policy variables).
_Matcher = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class _OperatorFamily:
    matcher: _Matcher
    # prepare(policy value, ctx, variables allowed) -> comparable policy value;
    # may raise _Unresolved. Runs once at parse time with ctx=None to validate.
    prepare: Callable[[Any, _Context | None, bool], Any]
    negated: bool
    variables: bool  # whether the family accepts policy variables


def _text_value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"{where}: condition value must be a string, number or boolean, got {value!r}")


def _prep_string(value: Any, ctx: _Context | None, variables: bool) -> str:
    if ctx is None:
        return value
    return _tokens_text(_tokenize(value, ctx, variables, wildcards=False))


def _prep_like(value: Any, ctx: _Context | None, variables: bool) -> Any:
    if ctx is None:
        return value
    return _tokens_regex(_tokenize(value, ctx, variables, wildcards=True))


def _prep_arn(value: Any, ctx: _Context | None, variables: bool) -> Any:
    if ctx is None:
        return value
    return _tokenize(value, ctx, variables, wildcards=True)


def _prep_bool(value: Any, ctx: _Context | None, variables: bool) -> Any:
    text = value if ctx is None else _prep_string(value, ctx, variables)
    if ctx is None and variables and "${" in text:
        return text  # validated once resolved
    if text.lower() not in ("true", "false"):
        raise ValueError(f"Bool condition value must be true or false, got {value!r}")
    return text.lower()


def _parse_number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{where}: expected a number, got {value!r}") from None


def _prep_number(value: Any, ctx: _Context | None, variables: bool) -> Decimal:
    return _parse_number(value, "Numeric condition value")


def _parse_date(value: Any, where: str) -> datetime:
    """W3C ISO 8601 or epoch seconds (condition operators page, Date)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{where}: expected an ISO 8601 date or epoch seconds, got {value!r}") from None
    else:
        raise ValueError(f"{where}: expected a date, got {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _prep_date(value: Any, ctx: _Context | None, variables: bool) -> datetime:
    return _parse_date(value, "Date condition value")


def _prep_ip(value: Any, ctx: _Context | None, variables: bool) -> Any:
    # "If you specify an IP address without the associated routing prefix, IAM
    # uses the default prefix value of /32" -- ip_network does the same per family.
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        raise ValueError(f"IpAddress condition value must be an address or CIDR, got {value!r}") from None


def _prep_binary(value: Any, ctx: _Context | None, variables: bool) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"BinaryEquals condition value must be base64, got {value!r}") from None


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> _Matcher:
    return lambda request, policy: compare(_parse_number(request, "request context value"), policy)


def _date(compare: Callable[[datetime, datetime], bool]) -> _Matcher:
    return lambda request, policy: compare(_parse_date(request, "request context value"), policy)


def _ip_in(request: Any, network: Any) -> bool:
    try:
        address = ipaddress.ip_address(str(request).strip())
    except ValueError:
        raise ValueError(f"request context value {request!r} is not an IP address") from None
    return address.version == network.version and address in network


def _binary_equals(request: Any, policy: bytes) -> bool:
    if isinstance(request, (bytes, bytearray)):
        return bytes(request) == policy
    try:
        return base64.b64decode(str(request), validate=True) == policy
    except (binascii.Error, ValueError):
        return False


def _str_eq(request: Any, policy: str) -> bool:
    return _scalar_text(request) == policy


def _str_eq_ci(request: Any, policy: str) -> bool:
    return _scalar_text(request).lower() == policy.lower()


def _str_like(request: Any, policy: re.Pattern[str]) -> bool:
    return policy.fullmatch(_scalar_text(request)) is not None


def _arn_match(request: Any, policy: Sequence[_Token]) -> bool:
    return _arn_like(policy, _scalar_text(request))


def _bool_eq(request: Any, policy: str) -> bool:
    return _scalar_text(request).lower() == policy


# Base operators, keyed by lower-cased name. Each negated operator is defined,
# as the docs define it, as the negation of its positive operator over all
# policy values: "If a single negated matching condition operator includes
# multiple values for a context key, those values are evaluated using a logical
# NOR" (multiple-keys-or-values page).
_OPERATORS: dict[str, _OperatorFamily] = {
    "stringequals": _OperatorFamily(_str_eq, _prep_string, False, True),
    "stringnotequals": _OperatorFamily(_str_eq, _prep_string, True, True),
    "stringequalsignorecase": _OperatorFamily(_str_eq_ci, _prep_string, False, True),
    "stringnotequalsignorecase": _OperatorFamily(_str_eq_ci, _prep_string, True, True),
    "stringlike": _OperatorFamily(_str_like, _prep_like, False, True),
    "stringnotlike": _OperatorFamily(_str_like, _prep_like, True, True),
    "numericequals": _OperatorFamily(_numeric(lambda a, b: a == b), _prep_number, False, False),
    "numericnotequals": _OperatorFamily(_numeric(lambda a, b: a == b), _prep_number, True, False),
    "numericlessthan": _OperatorFamily(_numeric(lambda a, b: a < b), _prep_number, False, False),
    "numericlessthanequals": _OperatorFamily(_numeric(lambda a, b: a <= b), _prep_number, False, False),
    "numericgreaterthan": _OperatorFamily(_numeric(lambda a, b: a > b), _prep_number, False, False),
    "numericgreaterthanequals": _OperatorFamily(_numeric(lambda a, b: a >= b), _prep_number, False, False),
    "dateequals": _OperatorFamily(_date(lambda a, b: a == b), _prep_date, False, False),
    "datenotequals": _OperatorFamily(_date(lambda a, b: a == b), _prep_date, True, False),
    "datelessthan": _OperatorFamily(_date(lambda a, b: a < b), _prep_date, False, False),
    "datelessthanequals": _OperatorFamily(_date(lambda a, b: a <= b), _prep_date, False, False),
    "dategreaterthan": _OperatorFamily(_date(lambda a, b: a > b), _prep_date, False, False),
    "dategreaterthanequals": _OperatorFamily(_date(lambda a, b: a >= b), _prep_date, False, False),
    "bool": _OperatorFamily(_bool_eq, _prep_bool, False, True),
    "binaryequals": _OperatorFamily(_binary_equals, _prep_binary, False, False),
    "ipaddress": _OperatorFamily(_ip_in, _prep_ip, False, False),
    "notipaddress": _OperatorFamily(_ip_in, _prep_ip, True, False),
    "arnequals": _OperatorFamily(_arn_match, _prep_arn, False, True),
    "arnlike": _OperatorFamily(_arn_match, _prep_arn, False, True),
    "arnnotequals": _OperatorFamily(_arn_match, _prep_arn, True, True),
    "arnnotlike": _OperatorFamily(_arn_match, _prep_arn, True, True),
}


@dataclass(frozen=True)
class _Condition:
    operator: str  # as written, for messages
    key: str
    values: tuple[Any, ...]
    family: _OperatorFamily | None  # None: the Null operator
    qualifier: str | None  # "forallvalues" | "foranyvalue" | None
    if_exists: bool

    def holds(self, ctx: _Context, variables: bool) -> bool:
        present, value = ctx.get(self.key)
        if self.family is None:
            # Null: "true (the key doesn't exist -- it is null) or false (the
            # key exists and its value is not null)"; several values are ORed.
            wanted = "true" if not present else "false"
            return wanted in self.values
        if self.qualifier is not None:
            return self._holds_for_set(present, value, ctx, variables)
        if not present:
            # Condition operators page, "Important": a missing key makes the
            # condition false, except that a negated operator (StringNotLike,
            # ArnNotLike, ...) is then true; ...IfExists makes it true.
            return self.if_exists or self.family.negated
        if _is_multi(value):
            # "Multivalued context keys require a condition set operator"
            # (single- vs. multivalued context keys page). AWS does not document
            # what happens otherwise, so we refuse rather than guess.
            raise ValueError(
                f"condition {self.operator} on {self.key!r}: the request value is multivalued; "
                "the policy must use ForAnyValue: or ForAllValues:"
            )
        return self._test(value, ctx, variables)

    def _holds_for_set(self, present: bool, value: Any, ctx: _Context, variables: bool) -> bool:
        if not present and self.if_exists:
            return True
        if not present:
            members: list[Any] = []
        elif _is_multi(value):
            members = list(value)
        elif value == "":
            # "If the key values in the request resolve to an empty data set
            # (for example, an empty string), ... ForAllValues returns true, and
            # ... ForAnyValue returns false" (multi-value conditions page).
            members = []
        else:
            members = [value]  # a single-valued key is a set of one
        tests = (self._test(member, ctx, variables) for member in members)
        # ForAllValues: every request value passes (true when there are none);
        # ForAnyValue: at least one passes (false when there are none). For a
        # negated operator each request value passes when it matches none of
        # the policy values.
        return all(tests) if self.qualifier == "forallvalues" else any(tests)

    def _test(self, request_value: Any, ctx: _Context, variables: bool) -> bool:
        assert self.family is not None
        use_variables = variables and self.family.variables
        matched = any(
            self.family.matcher(request_value, self.family.prepare(v, ctx, use_variables)) for v in self.values
        )
        return not matched if self.family.negated else matched


_QUALIFIERS = ("forallvalues", "foranyvalue")


def _parse_condition_block(block: Any, where: str, variables: bool) -> list[_Condition]:
    if block is None:
        return []
    if not isinstance(block, Mapping):
        raise ValueError(f"{where}: Condition must be a mapping, got {block!r}")
    conditions: list[_Condition] = []
    for operator, keys in block.items():
        if not isinstance(operator, str) or not operator:
            raise ValueError(f"{where}: bad condition operator {operator!r}")
        qualifier: str | None = None
        base = operator
        if ":" in operator:
            prefix, base = operator.split(":", 1)
            qualifier = prefix.lower()
            if qualifier not in _QUALIFIERS:
                raise ValueError(f"{where}: unknown condition set operator {prefix!r} in {operator!r}")
        if_exists = base.lower().endswith("ifexists")
        name = base[: -len("ifexists")] if if_exists else base
        if name.lower() == "null":
            if if_exists or qualifier is not None:
                raise ValueError(f"{where}: the Null operator takes neither IfExists nor a set operator ({operator!r})")
            family = None
        else:
            family = _OPERATORS.get(name.lower())
            if family is None:
                raise ValueError(f"{where}: unknown condition operator {operator!r}")
        if not isinstance(keys, Mapping) or not keys:
            raise ValueError(f"{where}: {operator} must map condition keys to values, got {keys!r}")
        for key, raw in keys.items():
            listed = raw if isinstance(raw, list) else [raw]
            if not listed:
                raise ValueError(f"{where}: {operator} {key!r} has no values")
            values = tuple(_text_value(v, f"{where}.{operator}.{key}") for v in listed)
            if family is None:
                lowered = tuple(v.lower() for v in values)
                if any(v not in ("true", "false") for v in lowered):
                    raise ValueError(f"{where}: Null takes true or false, got {raw!r}")
                values = lowered
            else:
                for v in values:  # validate once: numbers parse, CIDRs parse, ...
                    family.prepare(v, None, variables and family.variables)
            conditions.append(_Condition(operator, key, values, family, qualifier, if_exists))
    return conditions


# --------------------------------------------------------------------------
# Statements and documents
# --------------------------------------------------------------------------


def _string_list(value: Any, where: str) -> list[str]:
    listed = value if isinstance(value, list) else [value]
    if not listed or not all(isinstance(v, str) and v for v in listed):
        raise ValueError(f"{where}: expected a non-empty string or list of strings, got {value!r}")
    return listed


@dataclass(frozen=True)
class _Statement:
    label: str | int
    effect: str
    principal: dict[str, list[str]] | None
    has_principal: bool
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (e.g. a trust policy)
    not_resource: bool
    conditions: tuple[_Condition, ...]
    variables: bool

    def applies(self, request: Request, ctx: _Context) -> str | None:
        """``None`` when the statement applies to the request, else why not."""
        if self.has_principal:
            if self.not_principal:
                if _not_principal_excludes(self.principal, request.principal):
                    return "principal is excluded by NotPrincipal"
            elif not _principal_named(self.principal, request.principal):
                return "principal does not match"
        # Action names are case-insensitive; * and ? are wildcards (Action page).
        action_hit = any(_glob(a, request.action, ignore_case=True) for a in self.actions)
        if action_hit == self.not_action:
            return "action does not match"
        try:
            if self.resources is not None:
                resource_hit = any(self._resource_matches(r, request.resource, ctx) for r in self.resources)
                if resource_hit == self.not_resource:
                    return "resource does not match"
            for condition in self.conditions:
                if not condition.holds(ctx, self.variables):
                    return f"condition {condition.operator} on {condition.key} is false"
        except _Unresolved as unresolved:
            return f"not applied: {unresolved}"
        return None

    def _resource_matches(self, pattern: str, resource: str, ctx: _Context) -> bool:
        # Resource ARNs are case-sensitive; wildcards stay within an ARN
        # component (Resource page). Variables are allowed in the resource part.
        return _arn_like(_tokenize(pattern, ctx, self.variables, wildcards=True), resource)


def _parse_statement(raw: Any, index: int, variables: bool) -> _Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: a statement must be a mapping, got {raw!r}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise ValueError(f"{where}: Sid must be a string, got {sid!r}")
    label: str | int = sid if sid else index
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise ValueError(f"{where}: Effect must be \"Allow\" or \"Deny\", got {effect!r}")

    if "Principal" in raw and "NotPrincipal" in raw:
        raise ValueError(f"{where}: Principal and NotPrincipal are exclusive")
    not_principal = "NotPrincipal" in raw
    has_principal = not_principal or "Principal" in raw
    principal = (
        _normalize_principal_element(raw["NotPrincipal" if not_principal else "Principal"], where)
        if has_principal
        else None
    )

    if ("Action" in raw) == ("NotAction" in raw):
        raise ValueError(f"{where}: exactly one of Action and NotAction is required")
    not_action = "NotAction" in raw
    actions = tuple(_string_list(raw["NotAction" if not_action else "Action"], f"{where}.Action"))

    if "Resource" in raw and "NotResource" in raw:
        raise ValueError(f"{where}: Resource and NotResource are exclusive")
    not_resource = "NotResource" in raw
    resources: tuple[str, ...] | None = None
    if not_resource or "Resource" in raw:
        resources = tuple(_string_list(raw["NotResource" if not_resource else "Resource"], f"{where}.Resource"))
    # A statement without Resource/NotResource (a role trust policy's) applies
    # to the resource the policy is attached to, whatever the request names.

    conditions = tuple(_parse_condition_block(raw.get("Condition"), f"{where}.Condition", variables))
    return _Statement(
        label=label,
        effect=effect,
        principal=principal,
        has_principal=has_principal,
        not_principal=not_principal,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        conditions=conditions,
        variables=variables,
    )


def _parse_policy(policy: PolicyDocument) -> list[_Statement]:
    if policy is None:
        return []
    if isinstance(policy, bytes):
        policy = policy.decode()
    if isinstance(policy, str):
        if not policy.strip():
            return []
        try:
            document = json.loads(policy)
        except json.JSONDecodeError as error:
            raise ValueError(f"policy is not valid JSON: {error}") from None
    else:
        document = policy
    if not isinstance(document, Mapping):
        raise ValueError(f"policy must be a JSON object, got {type(document).__name__}")
    if not document:
        return []
    version = document.get("Version", "2008-10-17")
    if version not in _VERSIONS:
        raise ValueError(f"unknown policy Version {version!r}")
    statements = document.get("Statement")
    if statements is None:
        return []
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError(f"Statement must be an object or a list, got {statements!r}")
    variables = version == _VERSION_CURRENT
    return [_parse_statement(raw, index, variables) for index, raw in enumerate(statements)]
