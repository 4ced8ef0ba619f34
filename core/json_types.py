"""A JSON body's values must already be of their field's JSON type: ``"name": 0`` is not the text "0", ``"post":
"yes"`` is not true, ``"id": "5"`` is not 5.

DRF coerces on purpose, because the same fields read form data and query strings, where every value is text. The API
takes JSON only (settings ``DEFAULT_PARSER_CLASSES``), so for a body that coercion only hides a client's bug; and the
OpenAPI schema promises the types (Schemathesis's negative checks send the wrong ones: tests/reliability/
test_t4_schemathesis.py). ``install`` makes DRF's text, boolean and whole-number fields refuse a value of another JSON
type with the field's own error message ("Not a valid string.", "Must be a valid boolean.", "A valid integer is
required.", translated by DRF), when the serializer's data is a parsed body. A serializer reading a query (a
``QueryDict``, all text) keeps DRF's coercion. Decimals are strict already (core/fields.py: JSON strings only).
"""

from django.http import QueryDict
from rest_framework import fields

# field class -> the Python types a JSON value of that field may have
_JSON_TYPES = {
    fields.CharField: (str,),
    fields.BooleanField: (bool,),
    fields.IntegerField: (int,),
}


def _from_body(field) -> bool:
    data = getattr(field.root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(field_class, types):
    coerce = field_class.to_internal_value

    def to_internal_value(self, data):
        # bool is an int in Python, not a number in JSON.
        wrong = not isinstance(data, types) or (types == (int,) and isinstance(data, bool))
        if wrong and _from_body(self):
            self.fail("invalid")
        return coerce(self, data)

    to_internal_value.__doc__ = f"{coerce.__qualname__}, refusing another JSON type in a body (core/json_types.py)."
    return to_internal_value


def install() -> None:
    for field_class, types in _JSON_TYPES.items():
        if not getattr(field_class.to_internal_value, "json_types", False):
            field_class.to_internal_value = _strict(field_class, types)
            field_class.to_internal_value.json_types = True
