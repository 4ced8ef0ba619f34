"""Helpers shared by the list pages: paging and the htmx partial switch (docs/pages.md)."""

from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """A paginator that is told the row count (already taken with the page's totals) instead of counting again."""

    def __init__(self, object_list, per_page, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count


def paginate(request, queryset, *, count: int | None = None, per_page: int = PAGE_SIZE) -> Page:
    """The page named by ``?page=``; a missing, bad or too large number gives the first or last page, never a 404."""
    paginator = CountedPaginator(queryset, per_page, count=count)
    return paginator.get_page(request.GET.get("page"))


def wants_partial(request) -> bool:
    """True for an htmx request that will swap the results only (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_list(request, template: str, partial: str, context: dict):
    """Render the whole page, or just ``partial`` for an htmx filter/paging request. Caches keep the two apart."""
    response = render(request, partial if wants_partial(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
