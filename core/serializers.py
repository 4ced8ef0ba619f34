"""A list serializer that validates well-formed lines without DRF's per-field machinery, and every other input
exactly as DRF does.

A journal POST carries up to 10,000 lines of a dozen fields. DRF validates each value through ``run_validation``,
``validate_empty_values``, its validator objects and the serializer's field bookkeeping: about 80 us a line, a fifth of
a 500-line REST posting. ``FastListSerializer`` checks each value against the plain shape its field accepts (a string
of the right length with nothing to strip, a known choice, an ISO date, a decimal string, an int in range, null where
allowed, a missing optional value) and takes the value as DRF would return it. A value of any other shape goes through
its field's own ``run_validation``; and if any line fails, the whole list is validated again by DRF itself, so error
bodies are DRF's, byte for byte. ``tests/api/test_fast_list_serializer.py`` compares both paths on valid and invalid
input.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from rest_framework import serializers
from rest_framework.fields import (
    ISO_8601,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
    SkipField,
    empty,
)
from rest_framework.settings import api_settings

from core.fields import DecimalStringField

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_CHAR_VALIDATORS = (MaxLengthValidator, ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


class _Slow(Exception):
    """This value is not of the plain shape: validate it through its field."""


def _char(field):
    if type(field) is not serializers.CharField or not field.trim_whitespace or field.min_length is not None:
        return None
    if any(type(v) not in _CHAR_VALIDATORS for v in field.validators):
        return None
    limit = field.max_length
    allow_blank = field.allow_blank

    def convert(value):
        # ASCII: no surrogates; no NUL; nothing str.strip() would remove; within the length.
        if (
            type(value) is str
            and value.isascii()
            and "\x00" not in value
            and (limit is None or len(value) <= limit)
            and value.strip() == value
            and (value or allow_blank)
        ):
            return value
        raise _Slow

    return convert


def _choice(field):
    if type(field) is not serializers.ChoiceField or field.validators:
        return None
    choices = field.choice_strings_to_values

    def convert(value):
        if type(value) is str and value in choices:
            return choices[value]
        raise _Slow

    return convert


def _date(field):
    if type(field) is not serializers.DateField or field.validators:
        return None
    if list(getattr(field, "input_formats", api_settings.DATE_INPUT_FORMATS)) != [ISO_8601]:
        return None

    def convert(value):
        if type(value) is str and _ISO_DATE(value):
            try:
                return date.fromisoformat(value)  # what django.utils.dateparse.parse_date returns for this shape
            except ValueError:
                pass
        raise _Slow

    return convert


def _decimal(field):
    if type(field) is not DecimalStringField or field.validators:
        return None
    to_internal = field.to_internal_value

    def convert(value):
        if type(value) is str and value:
            return to_internal(value)  # raises ValidationError for a malformed string: the slow path reports it
        raise _Slow

    return convert


def _integer(field):
    if type(field) is not serializers.IntegerField:
        return None
    if any(type(v) not in (MinValueValidator, MaxValueValidator) for v in field.validators):
        return None
    low, high = field.min_value, field.max_value

    def convert(value):
        if type(value) is int and (low is None or value >= low) and (high is None or value <= high):
            return value
        raise _Slow

    return convert


_CONVERTERS = (_char, _choice, _date, _decimal, _integer)


def _plan(child: serializers.Serializer):
    """(name, field, convert, default) per writable field of ``child``, or None where the fast path cannot promise
    DRF's result (serializer-level validation, a field with a source of its own or of an unknown kind)."""
    cls = type(child)
    if cls.validate is not serializers.Serializer.validate or child.validators:
        return None
    plan = []
    for field in child._writable_fields:
        name = field.field_name
        if getattr(cls, f"validate_{name}", None) is not None or field.source_attrs != [name]:
            return None
        convert = next((c for c in (make(field) for make in _CONVERTERS) if c is not None), None)
        if convert is None:
            return None
        default = field.default
        if not field.required and (default is empty or callable(default)):
            return None
        plan.append((name, field, convert, default))
    return plan


class FastListSerializer(serializers.ListSerializer):
    """``many=True`` of a flat input serializer (set as its ``Meta.list_serializer_class``): module docstring."""

    def to_internal_value(self, data):
        plan = getattr(self, "_fast_plan", empty)
        if plan is empty:
            plan = self._fast_plan = _plan(self.child)
        if (
            plan is None
            or type(data) is not list
            or getattr(self.root, "partial", False)
            or (not data and not self.allow_empty)
            or (self.max_length is not None and len(data) > self.max_length)
            or (self.min_length is not None and len(data) < self.min_length)
        ):
            return super().to_internal_value(data)
        lines = []
        try:
            for item in data:
                if type(item) is not dict:
                    raise _Slow
                line = {}
                for name, field, convert, default in plan:
                    value = item.get(name, empty)
                    if value is empty:
                        if field.required:
                            raise _Slow
                        line[name] = default
                    elif value is None and field.allow_null:
                        line[name] = None
                    else:
                        try:
                            line[name] = convert(value)
                        except _Slow:
                            line[name] = field.run_validation(value)
                lines.append(line)
        except (_Slow, serializers.ValidationError, DjangoValidationError, SkipField):
            # Anything the plain shapes do not cover, or an invalid line: DRF validates the whole list, so the error
            # body names every bad line as it always has.
            return super().to_internal_value(data)
        return lines
