"""Production pages: the order list (with a create form), one order with its cost breakdown, entries and actions.

Reads through production.selectors; every action calls one service of production.services with the same permission
as the API (core.post_entries)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import BooksError
from core.pages import paginate
from core.permissions import POST, VIEW
from production import selectors, services
from production.forms import OrderActionForm, OrderCreateForm, OrderFilterForm


@permission_required(VIEW, raise_exception=True)
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    orders = selectors.production_orders()
    if form.is_bound and form.is_valid():
        if form.cleaned_data["status"]:
            orders = orders.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["item"]:
            orders = orders.filter(item_id=form.cleaned_data["item"])
    create = OrderCreateForm()
    if request.method == "POST":
        if not request.user.has_perm(POST):
            raise Http404
        create = OrderCreateForm(request.POST)
        if create.is_valid():
            data = create.cleaned_data
            try:
                order = services.create_order(
                    item=data["item"],
                    quantity=data["quantity"],
                    location=data["location"],
                    due_date=data["due_date"],
                    status="released" if data["release"] else "firm_planned",
                )
            except BooksError as error:
                create.add_error(None, error.message)
            else:
                messages.success(request, _("Production order %(no)s created.") % {"no": order.no})
                return redirect("production-order", no=order.no)
    context = {"form": form, "create": create, "page_obj": paginate(request, orders)}
    return render(request, "production/orders.html", context)


@permission_required(VIEW, raise_exception=True)
def order_detail(request, no):
    order = selectors.production_order(no)
    if order is None:
        raise Http404(_("Production order %(no)s does not exist.") % {"no": no})
    action = OrderActionForm()
    if request.method == "POST":
        if not request.user.has_perm(POST):
            raise Http404
        action = OrderActionForm(request.POST)
        if action.is_valid():
            try:
                _run(order, action.cleaned_data, request.user)
            except BooksError as error:
                action.add_error(None, error.message)
            else:
                messages.success(request, _("Posted to production order %(no)s.") % {"no": order.no})
                return redirect("production-order", no=order.no)
    context = {
        "order": order,
        "breakdown": selectors.cost_breakdown(order),
        "entries": selectors.order_entries(order.no),
        "action": action,
    }
    return render(request, "production/order.html", context)


def _run(order, data, user) -> None:
    day, name = data["posting_date"], data["action"]
    if name == "release":
        services.release_order(order.no)
    elif name == "consumption":
        services.post_consumption(order.no, posting_date=day, document_no=order.no, user=user)
    elif name == "capacity":
        services.post_capacity(
            order.no,
            posting_date=day,
            document_no=order.no,
            work_center=data["work_center"] or "",
            run_time=data["run_time"] or 0,
            user=user,
        )
    elif name == "output":
        quantity = data["quantity"] or order.quantity
        services.post_output(order.no, posting_date=day, document_no=order.no, quantity=quantity, user=user)
    else:
        services.finish_order(order.no, posting_date=day)
