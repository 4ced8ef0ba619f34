"""The Setup page: inventory setup and G/L setup (costing reference 6.1), with the scheduling notice of 6.2.

Everyone who may view the books sees the settings; changing them needs ``core.manage_setup`` (the admin role). Writes
go through the same setup services as the API, so the same validation applies.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import BooksError
from core.permissions import SETUP, VIEW
from costing.models import InventorySetup
from costing.services_setup import update_inventory_setup
from ledger.models import GLSetup
from ledger.services_setup import update_gl_setup


class InventorySetupForm(forms.ModelForm):
    class Meta:
        model = InventorySetup
        fields = [
            "automatic_cost_posting",
            "expected_cost_posting_to_gl",
            "automatic_cost_adjustment",
            "average_cost_calc_type",
            "average_cost_period",
        ]


class GLSetupForm(forms.ModelForm):
    class Meta:
        model = GLSetup
        fields = ["allow_posting_from", "allow_posting_to"]
        widgets = {
            "allow_posting_from": forms.DateInput(attrs={"type": "date"}),
            "allow_posting_to": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "allow_posting_from": gettext_lazy("Empty: no lower limit."),
            "allow_posting_to": gettext_lazy("Empty: no upper limit."),
        }

    def clean(self):
        # Said in words here; the model's CHECK constraint would otherwise surface under its technical name.
        data = super().clean()
        start, end = data.get("allow_posting_from"), data.get("allow_posting_to")
        if start and end and end < start:
            self.add_error(
                "allow_posting_to",
                _("Allow posting to (%(end)s) must not be before allow posting from (%(start)s).")
                % {"start": start, "end": end},
            )
        return data


@permission_required(VIEW, raise_exception=True)
def setup(request):
    inventory = InventorySetup.get()
    general = GLSetup.get()
    inventory_form = InventorySetupForm(instance=inventory, prefix="inventory")
    gl_form = GLSetupForm(instance=general, prefix="gl")
    if request.method == "POST":
        if not request.user.has_perm(SETUP):
            raise PermissionDenied
        which = request.POST.get("form")
        form = (
            InventorySetupForm(request.POST, instance=InventorySetup.get(), prefix="inventory")
            if which == "inventory"
            else GLSetupForm(request.POST, instance=GLSetup.get(), prefix="gl")
        )
        if form.is_valid():
            try:
                if which == "inventory":
                    update_inventory_setup(form.cleaned_data)
                else:
                    update_gl_setup(form.cleaned_data)
            except BooksError as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("The setup has been saved."))
                return redirect("setup")
        if which == "inventory":
            inventory_form = form
        else:
            gl_form = form
    can_change = request.user.has_perm(SETUP)
    if not can_change:
        for form in (inventory_form, gl_form):
            for field in form.fields.values():
                field.disabled = True
    from jobs.selectors import schedule_notice

    return render(
        request,
        "core/setup.html",
        {
            "inventory_form": inventory_form,
            "gl_form": gl_form,
            "notice": schedule_notice(),
            "can_change": can_change,
        },
    )
