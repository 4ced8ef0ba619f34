"""Setup writes for the books: chart of accounts, general posting groups and setups, the G/L setup.

Each function is one transaction and raises InvalidInput (400, naming the field) or Conflict (409) before anything is
written. Account fields in posting setups name posting accounts (a heading cannot receive entries); blocked accounts
are allowed in setup, posting to them is refused at posting time.
"""

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.records import delete_record, resolve_code, save_record
from ledger import services
from ledger.models import (
    GenBusinessPostingGroup,
    GeneralPostingSetup,
    GenProductPostingGroup,
    GLAccount,
    GLEntry,
    GLSetup,
)


def resolve_posting_account(field: str, number: str | None) -> str | None:
    """The number of an existing posting account, None for blank; InvalidInput on ``field`` otherwise."""
    if number in (None, ""):
        return None
    account = GLAccount.objects.filter(no=number).only("account_type").first()
    if account is None:
        raise InvalidInput.field(field, _("G/L account %(no)s does not exist.") % {"no": number})
    if account.account_type != GLAccount.AccountType.POSTING:
        raise InvalidInput.field(
            field, _("G/L account %(no)s is a heading; choose a posting account.") % {"no": number}
        )
    return number


def resolve_accounts(data: Mapping, account_fields: tuple[str, ...]) -> dict:
    """Account fields of ``data`` as ``<field>_id`` assignments, each checked."""
    return {f"{name}_id": resolve_posting_account(name, data[name]) for name in account_fields if name in data}


# ---------------------------------------------------------------------------------------------------- G/L accounts


@transaction.atomic
def create_gl_account(data: Mapping) -> GLAccount:
    return save_record(GLAccount(), dict(data), create=True)


@transaction.atomic
def update_gl_account(account: GLAccount, data: Mapping) -> GLAccount:
    changes = {k: v for k, v in data.items() if k != "no"}
    if (
        changes.get("account_type") == GLAccount.AccountType.HEADING
        and account.account_type != GLAccount.AccountType.HEADING
        and GLEntry.objects.filter(gl_account=account).exists()
    ):
        raise InvalidInput.field(
            "account_type",
            _("G/L account %(no)s has ledger entries and cannot become a heading.") % {"no": account.no},
        )
    return save_record(account, changes, create=False)


def delete_gl_account(account: GLAccount) -> None:
    delete_record(account)


# ------------------------------------------------------------------------------------------- gen. posting groups


@transaction.atomic
def create_gen_business_posting_group(data: Mapping) -> GenBusinessPostingGroup:
    return save_record(GenBusinessPostingGroup(), dict(data), create=True)


@transaction.atomic
def update_gen_business_posting_group(group: GenBusinessPostingGroup, data: Mapping) -> GenBusinessPostingGroup:
    return save_record(group, {k: v for k, v in data.items() if k != "code"}, create=False)


def delete_gen_business_posting_group(group: GenBusinessPostingGroup) -> None:
    delete_record(group)


@transaction.atomic
def create_gen_product_posting_group(data: Mapping) -> GenProductPostingGroup:
    return save_record(GenProductPostingGroup(), dict(data), create=True)


@transaction.atomic
def update_gen_product_posting_group(group: GenProductPostingGroup, data: Mapping) -> GenProductPostingGroup:
    return save_record(group, {k: v for k, v in data.items() if k != "code"}, create=False)


def delete_gen_product_posting_group(group: GenProductPostingGroup) -> None:
    delete_record(group)


# ------------------------------------------------------------------------------------------ general posting setup


def _general_posting_setup_changes(data: Mapping, *, creating: bool) -> dict:
    changes = {}
    if "gen_bus_posting_group" in data or creating:
        changes["gen_bus_posting_group_id"] = resolve_code(
            GenBusinessPostingGroup, "gen_bus_posting_group", data.get("gen_bus_posting_group"), required=False
        )
    if "gen_prod_posting_group" in data or creating:
        changes["gen_prod_posting_group_id"] = resolve_code(
            GenProductPostingGroup, "gen_prod_posting_group", data.get("gen_prod_posting_group"), required=True
        )
    changes.update(resolve_accounts(data, GeneralPostingSetup.ACCOUNT_FIELDS))
    if "blocked" in data:
        changes["blocked"] = data["blocked"]
    return changes


_GENERAL_SETUP_CONSTRAINTS = {"general_posting_setup_unique": "gen_prod_posting_group"}


@transaction.atomic
def create_general_posting_setup(data: Mapping) -> GeneralPostingSetup:
    changes = _general_posting_setup_changes(data, creating=True)
    return save_record(GeneralPostingSetup(), changes, create=True, constraint_fields=_GENERAL_SETUP_CONSTRAINTS)


@transaction.atomic
def update_general_posting_setup(setup: GeneralPostingSetup, data: Mapping) -> GeneralPostingSetup:
    changes = _general_posting_setup_changes(data, creating=False)
    return save_record(setup, changes, create=False, constraint_fields=_GENERAL_SETUP_CONSTRAINTS)


def delete_general_posting_setup(setup: GeneralPostingSetup) -> None:
    delete_record(setup)


# ------------------------------------------------------------------------------------------------ G/L setup


@transaction.atomic
def update_gl_setup(data: Mapping) -> GLSetup:
    """Allow Posting From / To; the range must not end before it starts."""
    setup = GLSetup.objects.select_for_update().filter(id=1).first() or GLSetup.get()
    start: date | None = data.get("allow_posting_from", setup.allow_posting_from)
    end: date | None = data.get("allow_posting_to", setup.allow_posting_to)
    if start and end and end < start:
        raise InvalidInput.field(
            "allow_posting_to",
            _("Allow posting to (%(end)s) must not be before allow posting from (%(start)s).")
            % {"start": start, "end": end},
        )
    return services.update_gl_setup(**dict(data))
