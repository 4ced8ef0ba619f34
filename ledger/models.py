"""The books: chart of accounts, G/L entries, transactions and registers, G/L and general posting setup.

Posted rows never change. PostgreSQL enforces it (see migrations/sql/ledger_guards.sql): UPDATE, DELETE and TRUNCATE of
G/L entries are refused, and a G/L transaction whose lines do not net to zero is refused at commit.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import AMOUNT_FIELD


class GLAccount(models.Model):
    class IncomeBalance(models.TextChoices):
        BALANCE_SHEET = "balance_sheet", _("Balance sheet")
        INCOME_STATEMENT = "income_statement", _("Income statement")

    class AccountType(models.TextChoices):
        POSTING = "posting", _("Posting")
        HEADING = "heading", _("Heading")

    no = models.CharField(_("no."), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    income_balance = models.CharField(_("income/balance"), max_length=20, choices=IncomeBalance.choices)
    account_type = models.CharField(_("account type"), max_length=10, choices=AccountType.choices, default="posting")
    blocked = models.BooleanField(_("blocked"), default=False)

    class Meta:
        db_table = "ledger_gl_account"
        ordering = ["no"]
        verbose_name = _("G/L account")
        verbose_name_plural = _("G/L accounts")

    def __str__(self):
        return f"{self.no} {self.name}"


class GLSetup(models.Model):
    """Singleton (pk=1). Allow Posting From / To bound every posting date; adjustment entries move forward (4.9)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    allow_posting_from = models.DateField(_("allow posting from"), null=True, blank=True)
    allow_posting_to = models.DateField(_("allow posting to"), null=True, blank=True)

    class Meta:
        db_table = "ledger_gl_setup"
        verbose_name = _("general ledger setup")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="gl_setup_singleton"),
            models.CheckConstraint(
                condition=models.Q(allow_posting_from__isnull=True)
                | models.Q(allow_posting_to__isnull=True)
                | models.Q(allow_posting_from__lte=models.F("allow_posting_to")),
                name="gl_setup_from_before_to",
            ),
        ]

    def __str__(self):
        return str(_("General ledger setup"))

    @classmethod
    def get(cls) -> "GLSetup":
        obj, _created = cls.objects.get_or_create(id=1)
        return obj


class GenBusinessPostingGroup(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        db_table = "ledger_gen_business_posting_group"
        ordering = ["code"]
        verbose_name = _("gen. business posting group")

    def __str__(self):
        return self.code


class GenProductPostingGroup(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        db_table = "ledger_gen_product_posting_group"
        ordering = ["code"]
        verbose_name = _("gen. product posting group")

    def __str__(self):
        return self.code


def _account(label):
    return models.ForeignKey(
        GLAccount, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class GeneralPostingSetup(models.Model):
    """Accounts by Gen. Bus. x Gen. Prod. posting group (costing reference 1.1). A blank business group is NULL."""

    gen_bus_posting_group = models.ForeignKey(
        GenBusinessPostingGroup,
        verbose_name=_("gen. bus. posting group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    gen_prod_posting_group = models.ForeignKey(
        GenProductPostingGroup, verbose_name=_("gen. prod. posting group"), on_delete=models.PROTECT
    )
    cogs_account = _account(_("COGS account"))
    cogs_account_interim = _account(_("COGS account (interim)"))
    inventory_adjmt_account = _account(_("inventory adjmt. account"))
    direct_cost_applied_account = _account(_("direct cost applied account"))
    overhead_applied_account = _account(_("overhead applied account"))
    purchase_variance_account = _account(_("purchase variance account"))
    invt_accrual_account_interim = _account(_("invt. accrual acc. (interim)"))
    blocked = models.BooleanField(_("blocked"), default=False)

    ACCOUNT_FIELDS = (
        "cogs_account",
        "cogs_account_interim",
        "inventory_adjmt_account",
        "direct_cost_applied_account",
        "overhead_applied_account",
        "purchase_variance_account",
        "invt_accrual_account_interim",
    )

    class Meta:
        db_table = "ledger_general_posting_setup"
        verbose_name = _("general posting setup")
        constraints = [
            models.UniqueConstraint(
                fields=["gen_bus_posting_group", "gen_prod_posting_group"],
                nulls_distinct=False,
                name="general_posting_setup_unique",
            )
        ]

    def __str__(self):
        return f"{self.gen_bus_posting_group_id or ''} / {self.gen_prod_posting_group_id}"


class GLRegister(models.Model):
    """One per posting run: the range of G/L entries it created."""

    no = models.BigIntegerField(primary_key=True)
    from_entry_no = models.BigIntegerField()
    to_entry_no = models.BigIntegerField()
    source_code = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # Set by a trigger to the database transaction that created or last extended the register. G/L transactions and
    # entries may only be written under a register stamped by their own database transaction, and the register's
    # deferred constraint trigger checks, once at commit, that every G/L transaction of that database transaction
    # has lines and nets to zero (ledger/migrations/sql/balance_check_once.sql).
    xid = models.BigIntegerField(null=True, editable=False)

    class Meta:
        db_table = "ledger_gl_register"
        ordering = ["no"]
        verbose_name = _("G/L register")


class GLTransaction(models.Model):
    """A set of G/L entries that nets to zero, checked once at commit by a deferred constraint trigger."""

    no = models.BigIntegerField(primary_key=True)
    # Checked by the insert trigger (the register must be one this database transaction opened or extended), not by
    # a deferred foreign key: its check would lock the one register row once per G/L transaction at commit.
    register = models.ForeignKey(
        GLRegister, on_delete=models.PROTECT, db_column="register_no", db_constraint=False, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by a trigger to the inserting database transaction: G/L lines may only join a transaction created in the
    # same database transaction, so a committed (balanced) transaction can never be unbalanced later.
    xid = models.BigIntegerField(null=True, editable=False)

    class Meta:
        db_table = "ledger_gl_transaction"


class GLEntry(models.Model):
    entry_no = models.BigIntegerField(_("entry no."), primary_key=True)
    # Indexed by gl_entry_transaction (Meta); the account by gl_entry_account_date, whose first column it is. Each
    # index more is one more insert per line: Post Inventory Cost to G/L per entry writes millions of lines.
    # No database foreign keys on the ledger's own columns: a deferred FK queues a check (and a FOR KEY SHARE lock of
    # the referenced row) per inserted line, which was most of a million-line posting's commit. The insert trigger
    # checks them once per statement instead (ledger/migrations/sql/balance_check_once.sql).
    transaction = models.ForeignKey(
        GLTransaction, on_delete=models.PROTECT, db_column="transaction_no", db_index=False, db_constraint=False
    )
    # A register's entries are found by its entry no. range (the primary key): no index of its own.
    register = models.ForeignKey(
        GLRegister, on_delete=models.PROTECT, db_column="register_no", db_constraint=False, db_index=False
    )
    gl_account = models.ForeignKey(
        GLAccount, verbose_name=_("G/L account"), on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    posting_date = models.DateField(_("posting date"))
    document_no = models.CharField(_("document no."), max_length=40)
    external_document_no = models.CharField(max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), **AMOUNT_FIELD)
    source_code = models.CharField(_("source code"), max_length=20)
    system_created = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # No index: entries are not looked up by user (the register names its user).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )

    class Meta:
        db_table = "ledger_gl_entry"
        ordering = ["entry_no"]
        verbose_name = _("G/L entry")
        verbose_name_plural = _("G/L entries")
        indexes = [
            # Net change per account over a date range: reconciliation G/L columns and the chart of accounts page.
            models.Index(fields=["gl_account", "posting_date"], name="gl_entry_account_date"),
            # The balance trigger sums a transaction's lines at commit.
            models.Index(fields=["transaction"], name="gl_entry_transaction"),
            models.Index(fields=["posting_date"], name="gl_entry_posting_date"),
            models.Index(fields=["document_no"], name="gl_entry_document_no"),
        ]

    def __str__(self):
        return f"G/L {self.entry_no} {self.gl_account_id} {self.amount}"
