"""Writes to the books. ``post_transactions`` is the only code that inserts G/L entries.

Everything is set-based: numbers are taken once per call (core.sequences), accounts are checked with one query, rows go
in with COPY (core.bulk). PostgreSQL re-checks what matters (ledger_guards.sql): balance at commit, posting accounts,
append-only.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import sequences
from core.bulk import copy_insert, new_row
from core.errors import InvalidInput
from core.money import AMOUNT_PLACES, ZERO, dec, places
from ledger.models import GLAccount, GLEntry, GLRegister, GLSetup, GLTransaction


@dataclass
class GLLine:
    gl_account: str
    amount: Decimal
    posting_date: date
    document_no: str
    description: str = ""
    external_document_no: str = ""
    # Where the line came from, for error messages ("lines[3]").
    path: str = ""
    # Free payload the caller gets back on the created entry (e.g. the value entry it was posted from).
    tag: object = field(default=None, compare=False)


def allowed_posting_range() -> tuple[date | None, date | None]:
    setup = GLSetup.get()
    return setup.allow_posting_from, setup.allow_posting_to


def check_posting_date(posting_date: date, path: str = "posting_date", allowed=None) -> None:
    start, end = allowed if allowed is not None else allowed_posting_range()
    if (start and posting_date < start) or (end and posting_date > end):
        raise InvalidInput.field(
            path,
            _("Posting date %(date)s is not within the allowed posting dates (%(start)s to %(end)s).")
            % {"date": posting_date, "start": start or "...", "end": end or "..."},
        )


def check_accounts(lines: Sequence[GLLine]) -> dict[str, GLAccount]:
    """Every account exists, is a posting account and is not blocked: one query for the whole posting."""
    numbers = {line.gl_account for line in lines}
    accounts = {a.no: a for a in GLAccount.objects.filter(no__in=numbers)}
    for index, line in enumerate(lines):
        path = f"{line.path or f'lines[{index}]'}.gl_account"
        account = accounts.get(line.gl_account)
        if account is None:
            raise InvalidInput.field(path, _("G/L account %(no)s does not exist.") % {"no": line.gl_account})
        if account.account_type != GLAccount.AccountType.POSTING:
            raise InvalidInput.field(
                path, _("G/L account %(no)s is a heading; post to a posting account.") % {"no": line.gl_account}
            )
        if account.blocked:
            raise InvalidInput.field(path, _("G/L account %(no)s is blocked.") % {"no": line.gl_account})
    return accounts


@dataclass
class PostedGL:
    register: GLRegister
    transactions: list[list[GLEntry]]

    @property
    def entries(self) -> list[GLEntry]:
        return [entry for tx in self.transactions for entry in tx]


def post_transactions(
    transactions: Sequence[Sequence[GLLine]],
    *,
    source_code: str,
    user=None,
    register: GLRegister | None = None,
    check_dates: bool = True,
) -> PostedGL:
    """Post balanced G/L transactions in one database transaction and return the created entries.

    With ``register`` the entries join an existing register (a batch run that commits per chunk); otherwise a new one
    is opened. Raises InvalidInput, naming the line, for unknown, heading or blocked accounts, amounts with more than
    two decimals, dates outside the allowed range and transactions that do not net to zero.
    """
    lines = [line for tx in transactions for line in tx]
    if not lines:
        raise InvalidInput.field("lines", _("There is nothing to post."))
    allowed = allowed_posting_range() if check_dates else None
    for index, line in enumerate(lines):
        path = line.path or f"lines[{index}]"
        line.amount = dec(line.amount)
        if places(line.amount) > AMOUNT_PLACES and line.amount != line.amount.quantize(Decimal("0.01")):
            raise InvalidInput.field(f"{path}.amount", _("Amounts have at most 2 decimals."))
        if check_dates:
            check_posting_date(line.posting_date, f"{path}.posting_date", allowed)
    for tx in transactions:
        total = sum((line.amount for line in tx), ZERO)
        if total != 0:
            first = tx[0]
            raise InvalidInput.field(
                first.path or "lines",
                _("Document %(doc)s on %(date)s does not balance: its lines sum to %(total)s.")
                % {"doc": first.document_no, "date": first.posting_date, "total": total},
            )
    check_accounts(lines)

    with transaction.atomic():
        first_entry = sequences.take("gl_entry", len(lines))
        first_tx = sequences.take("gl_transaction", len(transactions))
        last_entry = first_entry + len(lines) - 1
        register = _open_register(register, first_entry, last_entry, source_code, user)
        # Rows built by filling the instance dict and written with COPY (core.bulk): Post Inventory Cost to G/L writes
        # a million lines, and Model.__init__ plus bulk_create's per-value preparation were most of its time.
        register_no = register.no
        user_id = user.pk if user is not None else None
        system_created = source_code != "GENJNL"
        copy_insert(
            GLTransaction,
            [new_row(GLTransaction, no=first_tx + i, register_id=register_no) for i in range(len(transactions))],
        )
        created: list[list[GLEntry]] = []
        rows: list[GLEntry] = []
        entry_no = first_entry
        for tx_index, tx in enumerate(transactions):
            tx_entries = []
            for line in tx:
                entry = new_row(
                    GLEntry,
                    entry_no=entry_no,
                    transaction_id=first_tx + tx_index,
                    register_id=register_no,
                    gl_account_id=line.gl_account,
                    posting_date=line.posting_date,
                    document_no=line.document_no,
                    external_document_no=line.external_document_no,
                    description=line.description[:200],
                    amount=line.amount,
                    source_code=source_code,
                    system_created=system_created,
                    user_id=user_id,
                )
                # As GLEntry(register=..., user=...) would: the related objects are at hand, not fetched again.
                entry._state.fields_cache.update(register=register, user=user)
                entry.tag = line.tag
                tx_entries.append(entry)
                entry_no += 1
            rows.extend(tx_entries)
            created.append(tx_entries)
        copy_insert(GLEntry, rows)
    return PostedGL(register=register, transactions=created)


STAGE_TABLE = "ledger_stage"


def open_stage() -> None:
    """The session's staging table for ``post_staged``, empty, dropped at commit.

    A caller that computes its lines in SQL (Post Inventory Cost to G/L) fills it with ``INSERT ... SELECT``: ``seq``
    numbers the lines 1..n in entry order, ``tx_seq`` their transactions 1..m in transaction order.
    """
    with connection.cursor() as cur:
        cur.execute(
            f"""
            CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} (
                seq bigint NOT NULL, tx_seq bigint NOT NULL, gl_account varchar(20) NOT NULL,
                amount numeric NOT NULL, posting_date date NOT NULL, document_no varchar(40) NOT NULL,
                description varchar(200) NOT NULL
            ) ON COMMIT DROP;
            TRUNCATE {STAGE_TABLE};
            """
        )


@dataclass
class StagedPosting:
    register: GLRegister
    first_entry_no: int
    entries: int
    first_transaction_no: int
    transactions: int


def post_staged(*, source_code: str, user=None, register=None) -> StagedPosting:
    """Post the lines of the staging table (``open_stage``) as G/L transactions, set-based: a million lines are a
    few statements, never a Python object per line.

    The same checks as ``post_transactions``, done in SQL: amounts of at most two decimals, every transaction nets to
    zero, accounts exist, are posting accounts and are not blocked. Entry no. = first + seq - 1, transaction no. =
    first + tx_seq - 1, so the caller can link its own rows to the entries it staged.

    ``register``: None opens a new G/L register; a register (or a callable returning one or None, called once the G/L
    numbers are taken) is extended, or replaced by a new one when it no longer exists (its run's chunk rolled back).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("post_staged runs inside the posting transaction")
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), coalesce(max(seq), 0), coalesce(max(tx_seq), 0) FROM {STAGE_TABLE}")
        lines, max_seq, tx_count = cur.fetchone()
        if not lines:
            raise InvalidInput.field("lines", _("There is nothing to post."))
        # No key on the staging table (a million-line posting would pay for it): a missing number shows here, a
        # repeated one as a duplicate G/L entry no.
        if max_seq != lines:
            raise RuntimeError("staged lines must be numbered 1..n")
        cur.execute(f"SELECT seq FROM {STAGE_TABLE} WHERE amount <> round(amount, 2) ORDER BY seq LIMIT 1")
        bad = cur.fetchone()
        if bad:
            raise InvalidInput.field(f"lines[{bad[0] - 1}].amount", _("Amounts have at most 2 decimals."))
        cur.execute(
            f"SELECT min(document_no), min(posting_date), sum(amount) FROM {STAGE_TABLE} "
            "GROUP BY tx_seq HAVING sum(amount) <> 0 ORDER BY tx_seq LIMIT 1"
        )
        bad = cur.fetchone()
        if bad:
            raise InvalidInput.field(
                "lines",
                _("Document %(doc)s on %(date)s does not balance: its lines sum to %(total)s.")
                % {"doc": bad[0], "date": bad[1], "total": bad[2]},
            )
        cur.execute(
            f"""
            SELECT s.seq, s.gl_account, a.no IS NULL, a.account_type <> 'posting', a.blocked
              FROM (SELECT gl_account, min(seq) AS seq FROM {STAGE_TABLE} GROUP BY gl_account) s
              LEFT JOIN ledger_gl_account a ON a.no = s.gl_account
             WHERE a.no IS NULL OR a.account_type <> 'posting' OR a.blocked
             ORDER BY s.seq LIMIT 1
            """
        )
        bad = cur.fetchone()
        if bad:
            seq, account, missing, heading, _blocked = bad
            path = f"lines[{seq - 1}].gl_account"
            if missing:
                raise InvalidInput.field(path, _("G/L account %(no)s does not exist.") % {"no": account})
            if heading:
                raise InvalidInput.field(
                    path, _("G/L account %(no)s is a heading; post to a posting account.") % {"no": account}
                )
            raise InvalidInput.field(path, _("G/L account %(no)s is blocked.") % {"no": account})
        if tx_count and not (1 <= tx_count <= lines):
            raise RuntimeError("staged transactions must be numbered 1..m")

    first_entry = sequences.take("gl_entry", lines)
    first_tx = sequences.take("gl_transaction", tx_count)
    if callable(register):
        register = register()
    register = _open_register(register, first_entry, first_entry + lines - 1, source_code, user)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_gl_transaction (no, register_no, created_at) "
            "SELECT %s + g - 1, %s, now() FROM generate_series(1, %s) g",
            [first_tx, register.no, tx_count],
        )
        cur.execute(
            f"""
            INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,
                                         document_no, external_document_no, description, amount, source_code,
                                         system_created, created_at, user_id)
            SELECT %s + seq - 1, %s + tx_seq - 1, %s, gl_account, posting_date, document_no, '', description, amount,
                   %s, %s, now(), %s
              FROM {STAGE_TABLE} ORDER BY seq
            """,
            [first_entry, first_tx, register.no, source_code, source_code != "GENJNL", user.pk if user else None],
        )
    return StagedPosting(register, first_entry, lines, first_tx, tx_count)


def _open_register(register: GLRegister | None, first_entry: int, last_entry: int, source_code: str, user):
    """A new G/L register for these entries, or ``register`` (a batch run's, one per run) extended to them."""
    if register is not None and GLRegister.objects.filter(no=register.no).update(to_entry_no=last_entry):
        register.to_entry_no = last_entry
        return register
    return GLRegister.objects.create(
        no=sequences.take("gl_register"),
        from_entry_no=first_entry,
        to_entry_no=last_entry,
        source_code=source_code,
        user=user,
    )


def post_gl_journal(lines: Sequence[dict], *, user=None) -> PostedGL:
    """The manual G/L journal: lines with the same document no. and posting date form one transaction."""
    groups: dict[tuple, list[GLLine]] = {}
    for index, raw in enumerate(lines):
        line = GLLine(
            gl_account=raw["gl_account"],
            amount=dec(raw["amount"]),
            posting_date=raw["posting_date"],
            document_no=raw["document_no"],
            description=raw.get("description", ""),
            path=f"lines[{index}]",
        )
        groups.setdefault((line.document_no, line.posting_date), []).append(line)
    return post_transactions(list(groups.values()), source_code="GENJNL", user=user)


def update_gl_setup(**changes) -> GLSetup:
    setup = GLSetup.get()
    for name, value in changes.items():
        setattr(setup, name, value)
    if setup.allow_posting_from and setup.allow_posting_to and setup.allow_posting_from > setup.allow_posting_to:
        raise InvalidInput.field("allow_posting_to", _("Allow posting to must not be before allow posting from."))
    setup.save()
    return setup


__all__ = [
    "GLLine",
    "PostedGL",
    "StagedPosting",
    "open_stage",
    "post_staged",
    "post_transactions",
    "post_gl_journal",
    "check_posting_date",
]
