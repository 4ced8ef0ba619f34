"""Form fields shared by the pages and the API's query parsing."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off", "")


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
    default_error_messages = {"invalid_boolean": _("Use true or false.")}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValidationError(self.error_messages["invalid_boolean"], code="invalid_boolean")
