"""Forms of the batch job pages: the cost adjustment filters and selection, the Post Inventory Cost to G/L options."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from costing import gl_posting
from costing.models import Item
from costing.selectors_batch import SHOW_ALL, SHOW_CHOICES, AdjustmentFilter, PostOptions

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _sent_items(data) -> list[tuple[str, str]]:
    """Choices for the item checkboxes: the existing items among the numbers sent (one query, not every item)."""
    sent = data.getlist("items") if hasattr(data, "getlist") else []
    return [(no, no) for no in Item.objects.filter(no__in=sent).values_list("no", flat=True)]


class AdjustmentFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW_CHOICES)
    text = forms.CharField(label=_("No. or description contains"), required=False, max_length=100)

    def to_filter(self) -> AdjustmentFilter:
        data = self.cleaned_data
        return AdjustmentFilter(show=data.get("show") or SHOW_ALL, text=(data.get("text") or "").strip())


class RunAdjustmentForm(forms.Form):
    """Run cost adjustment for every non-adjusted item (``scope=all``) or for the selected ones."""

    scope = forms.ChoiceField(choices=[("all", "all"), ("selected", "selected")])
    items = forms.MultipleChoiceField(required=False, choices=[])
    post_to_gl = forms.TypedChoiceField(
        label=_("Post to G/L"),
        choices=[("", _("As automatic cost posting")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = _sent_items(self.data)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "selected" and not cleaned.get("items"):
            raise forms.ValidationError(_("Select the items to adjust."))
        return cleaned

    def items_to_run(self) -> list[str]:
        return sorted(self.cleaned_data["items"]) if self.cleaned_data["scope"] == "selected" else []


class ExclusionForm(forms.Form):
    action = forms.ChoiceField(choices=[("exclude", "exclude"), ("include", "include")])
    items = forms.MultipleChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = _sent_items(self.data)
        self.fields["items"].error_messages["required"] = _("Select at least one item.")


def _item_list(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(no for no in re.split(r"[\s,;]+", text.strip()) if no))


class PostOptionsForm(forms.Form):
    posting_method = forms.ChoiceField(
        label=_("Posting method"),
        choices=[
            (gl_posting.PER_ENTRY, _("Per entry")),
            (gl_posting.PER_POSTING_GROUP, _("Per posting group")),
        ],
        initial=gl_posting.PER_ENTRY,
        help_text=_(
            "Per entry: one G/L transaction for each value entry, with the value entry's document no. "
            "Per posting group: the amounts are added up per posting date, account, location, posting groups "
            "and sign, and posted once at the end under the document no. you enter."
        ),
    )
    document_no = forms.CharField(
        label=_("Document no."),
        required=False,
        max_length=40,
        help_text=_("Required when posting per posting group; leave it empty when posting per entry."),
    )
    post = forms.ChoiceField(
        label=_("Post"),
        choices=[("no", _("No, report only")), ("yes", _("Yes, post to the G/L"))],
        initial="no",
        help_text=_("Report only shows what would be posted and posts nothing."),
    )
    items = forms.CharField(
        label=_("Items"),
        required=False,
        max_length=2000,
        help_text=_("Item numbers separated by commas or spaces; empty for every item."),
    )
    posting_date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)

    def clean_items(self):
        items = _item_list(self.cleaned_data.get("items") or "")
        known = set(Item.objects.filter(no__in=items).values_list("no", flat=True))
        unknown = [no for no in items if no not in known]
        if unknown:
            raise forms.ValidationError(_("Unknown items: %(items)s.") % {"items": ", ".join(unknown)})
        return items

    def clean(self):
        cleaned = super().clean()
        method, document_no = cleaned.get("posting_method"), (cleaned.get("document_no") or "").strip()
        cleaned["document_no"] = document_no
        if method == gl_posting.PER_POSTING_GROUP and not document_no:
            self.add_error("document_no", _("Enter a document no. when posting per posting group."))
        if method == gl_posting.PER_ENTRY and document_no:
            self.add_error(
                "document_no",
                _(
                    "Do not enter a document no. when posting per entry: each G/L entry takes the document no. of its "
                    "value entry."
                ),
            )
        return cleaned

    def to_options(self) -> PostOptions:
        data = self.cleaned_data
        return PostOptions(
            method=data["posting_method"],
            document_no=data["document_no"],
            post=data["post"] == "yes",
            items=data["items"],
            posting_date_to=data.get("posting_date_to"),
        )
