"""A posting request keeps Python's cyclic garbage collector off until its response is closed
(core.bulk.pause_gc_for_request): the posting's rows are freed by reference counting before the collector's next pass
instead of being rescanned by it. Whatever the request's outcome, the collector is on again afterwards, and a pause
whose response was never closed ends when the thread's next request starts."""

import gc

import pytest
from django.core.signals import request_started

from core import bulk
from costing import posting
from tests import books
from tests.api.test_posting_api import line, post_journal

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(db):
    books.company()
    books.item("A")


@pytest.fixture
def collector_seen_in_posting(monkeypatch):
    seen = []
    real = posting.Posting.post_lines

    def post_lines(self, lines):
        seen.append(gc.isenabled())
        return real(self, lines)

    monkeypatch.setattr(posting.Posting, "post_lines", post_lines)
    return seen


def test_the_collector_is_off_during_the_request_and_on_after_it(accountant_api, company, collector_seen_in_posting):
    assert gc.isenabled()
    response = post_journal(accountant_api, line("purchase", "5", unit_cost="2"))
    assert response.status_code == 201, response.content
    assert collector_seen_in_posting == [False]
    assert gc.isenabled()


def test_a_refused_posting_turns_the_collector_back_on(accountant_api, company):
    response = post_journal(accountant_api, line("purchase", "5", item="NOPE", unit_cost="2"))
    assert response.status_code == 400
    assert gc.isenabled()


def test_a_pause_without_a_closed_response_ends_when_the_next_request_starts():
    assert gc.isenabled()
    try:
        bulk.pause_gc_for_request()
        assert not gc.isenabled()
        request_started.send(sender=None)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_a_collector_already_off_is_left_off():
    gc.disable()
    try:
        bulk.pause_gc_for_request()
        bulk.resume_gc_after_request()
        assert not gc.isenabled()
    finally:
        gc.enable()
