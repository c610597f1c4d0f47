"""Checks a request's parameters against botocore's service model before sending.

botocore itself checks types and minimum lengths only; the service also
enforces maximum lengths, ranges and patterns. The rules here are read from
the loaded service model, so they follow AWS's model rather than a copy,
down into lists and structures (a start request's output location). A
value bound into the request's path must not be empty either.

Patterns are applied as whole-string matches. Smithy leaves ``@pattern``
unanchored, but the service rejects a name that merely contains a valid run
(``"a/b"`` for ``[a-zA-Z_0-9-]*``), so a partial match would let through
input the service refuses, or that rewrites the request path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import NoReturn, cast

from botocore.model import ListShape, ServiceModel, Shape, StructureShape

from ._botocore_models import unmodelled_message
from ._errors import InvalidInputError

_log = logging.getLogger("entityresolution_jobs")

_REMEMBERED = 1024


def count_of_at_least_one(value: object, name: str, unit: str) -> int:
    """``value``, if it is a whole number of at least 1 (not a bool).

    Raises:
        InvalidInputError: It is not; the message names ``name`` and what
            it counts (``unit``).
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(
            f"{name} must be a whole number of {unit} >= 1; got {value!r}", parameter=name
        )
    return value


class _Rule:
    """The constraints on one input member, and on what it contains.

    A plain class: a dataclass costs about 3 million instructions to
    define, paid at import by a process that makes one call.
    """

    __slots__ = (
        "argument", "item", "maximum", "members", "minimum", "pattern", "required",
        "type_name", "wire_name",
    )  # fmt: skip

    def __init__(
        self,
        *,
        wire_name: str,
        argument: str,
        type_name: str,
        required: bool,
        minimum: int | None,
        maximum: int | None,
        pattern: re.Pattern[str] | None,
        members: tuple[_Rule, ...] = (),
        item: _Rule | None = None,
    ) -> None:
        self.wire_name = wire_name
        self.argument = argument
        self.type_name = type_name
        self.required = required
        self.minimum = minimum
        self.maximum = maximum
        self.pattern = pattern
        self.members = members
        self.item = item

    def check(self, value: object) -> None:
        if value is None:
            if self.required:
                self._fail("is required")
            return
        if self.type_name == "string":
            if not isinstance(value, str):
                self._fail(f"must be a str, not {type(value).__name__}")
            self._check_size(len(value), " characters long")
            if self.pattern is not None and self.pattern.fullmatch(value) is None:
                self._fail(f"must match the pattern {self.pattern.pattern}; got {_shorten(value)}")
        elif self.type_name == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                self._fail(f"must be an int, not {type(value).__name__}")
            self._check_size(value, "")
        elif self.type_name == "list" and isinstance(value, list | tuple):
            items = cast("list[object] | tuple[object, ...]", value)
            self._check_size(len(items), " items")
            for item in items:
                if self.item is not None:
                    self.item.check(item)
        elif self.type_name == "structure" and isinstance(value, Mapping):
            fields = cast("Mapping[str, object]", value)
            for member in self.members:
                member.check(fields.get(member.wire_name))

    def _check_size(self, size: int, unit: str) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and size < low) or (high is not None and size > high):
            if high is None and low == 1 and size == 0:
                self._fail("must not be empty")
            bounds = f"{'-inf' if low is None else low} to {high}"
            self._fail(f"must be {bounds}{unit}; got {size}")

    def _fail(self, reason: str) -> NoReturn:
        raise InvalidInputError(f"{self.argument} {reason}", parameter=self.argument)


# Wire names whose argument is not their snake_case form: a start request's
# one-element outputSourceConfig is the caller's single output_source.
_ARGUMENTS = {"outputSourceConfig": "output_source", "KMSArn": "kms_arn"}
# Input shapes nest two levels at most in the operations this library sends.
_DEPTH = 4


def _rule(wire_name: str, shape: Shape, required: bool, parent: str = "", depth: int = 0) -> _Rule:
    metadata = shape.metadata
    argument = parent + (_ARGUMENTS.get(wire_name) or _snake_case(wire_name))
    minimum = metadata.get("min")
    if shape.serialization.get("location") == "uri":
        # A path segment cannot be empty: botocore would send "//" and the
        # request would name another resource, or none.
        minimum = max(minimum or 0, 1)
    members: tuple[_Rule, ...] = ()
    item: _Rule | None = None
    if depth < _DEPTH and isinstance(shape, StructureShape):
        nested = set(shape.required_members)
        members = tuple(
            _rule(name, member, name in nested, f"{argument}.", depth + 1)
            for name, member in shape.members.items()
        )
    elif depth < _DEPTH and isinstance(shape, ListShape):
        # The items are named as the list is: the caller passes one output_source.
        item = _rule(wire_name, shape.member, True, parent, depth + 1)
    return _Rule(
        wire_name=wire_name,
        argument=argument,
        type_name=shape.type_name,
        required=required,
        minimum=minimum,
        maximum=metadata.get("max"),
        pattern=_compile(metadata.get("pattern")),
        members=members,
        item=item,
    )


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        # An ECMA-262 construct Python's re lacks: let the service judge.
        _log.debug("pattern %r is not a Python regex; not checked locally", pattern)
        return None


def _shorten(value: str, limit: int = 80) -> str:
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."


def _snake_case(wire_name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", wire_name).lower()


class RequestChecker:
    """Checks requests against one service model, caching the rules per operation.

    Args:
        service_model: The model of the client the requests go to.
    """

    def __init__(self, service_model: ServiceModel) -> None:
        self._service_model = service_model
        self._rules: dict[str, tuple[_Rule, ...]] = {}
        # Each operation's count of required input members, and all its members.
        self._known: dict[str, tuple[int, frozenset[str]]] = {}
        # Values that passed their rule. Polling asks about the same workflow
        # and job again and again; a set lookup is far cheaper than a regex.
        self._passed: set[tuple[_Rule, str]] = set()

    def check(self, operation_name: str, params: Mapping[str, object]) -> None:
        """Raise `InvalidInputError` if ``params`` break the operation's input rules."""
        rules = self._rules.get(operation_name)
        if rules is None:
            rules = self._rules[operation_name] = self._rules_for(operation_name)
            required = sum(rule.required for rule in rules)
            self._known[operation_name] = (required, frozenset(rule.wire_name for rule in rules))
        # A parameter this botocore's model lacks can only be among optional
        # ones; comparing the keys costs ~1,800 instructions, the lengths ~50.
        required, known = self._known[operation_name]
        if len(params) > required and not params.keys() <= known:
            self._fail_unmodelled(operation_name, params)
        passed = self._passed
        for rule in rules:
            value = params.get(rule.wire_name)
            key = (rule, value) if isinstance(value, str) else None
            if key is not None and key in passed:
                continue
            rule.check(value)
            if key is not None:
                if len(passed) >= _REMEMBERED:
                    passed.clear()
                passed.add(key)

    def _fail_unmodelled(self, operation_name: str, params: Mapping[str, object]) -> NoReturn:
        # A parameter this botocore's model lacks (one added in a later
        # botocore): say which botocore sends it, not botocore's "Unknown parameter".
        # An operation that takes parameters has an input shape.
        shape = cast("Shape", self._service_model.operation_model(operation_name).input_shape)
        wire_name = min(params.keys() - self._known[operation_name][1])
        argument = _ARGUMENTS.get(wire_name) or _snake_case(wire_name)
        raise InvalidInputError(
            unmodelled_message(shape.name, wire_name, argument), parameter=argument
        )

    def _rules_for(self, operation_name: str) -> tuple[_Rule, ...]:
        shape = self._service_model.operation_model(operation_name).input_shape
        if not isinstance(shape, StructureShape):
            return ()
        required = set(shape.required_members)
        return tuple(
            _rule(name, member, name in required) for name, member in shape.members.items()
        )
