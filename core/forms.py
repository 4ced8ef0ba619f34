"""Form fields shared by the pages and the API's query parsing, and the API's way of reading a query with a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off", "")
INVALID_BOOLEAN = _("Use true or false.")


def parse_boolean(value) -> bool | None:
    """A yes/no value as a query or a checkbox sends it: True, False, or None for an empty one; other text is an
    error, not a silent yes or no."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return None if text == "" else False
    raise ValidationError(INVALID_BOOLEAN, code="invalid_boolean")


def parse_query(form: forms.Form) -> forms.Form:
    """The bound ``form``, valid, or a 400 naming its first error (every field's errors in ``errors``)."""
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.items()))
        raise InvalidInput(f"{first[0]}: {first[1][0]}", errors=errors)
    return form


class _Checkbox(forms.CheckboxInput):
    """A checkbox that hands the submitted text to the field instead of turning any text into True (Django's
    CheckboxInput reads ``?show_warnings=null`` as checked)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value is True or str(value).lower() in TRUE)

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return False
        value = data.get(name)
        return value if isinstance(value, bool) else str(value)


class QueryBooleanField(forms.BooleanField):
    """A yes/no filter: a checked box (``on``) on the pages, ``true``/``false`` (or 1/0, yes/no, on/off) in the
    API's query; absent or empty is no. Any other text is an error, not a silent yes or no."""

    widget = _Checkbox

    def to_python(self, value):
        return bool(parse_boolean(value))
