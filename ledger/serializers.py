"""Serializers for the chart of accounts, general posting setup, the G/L setup, the G/L journal and G/L entries."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import AmountField, CodeField
from ledger.models import (
    GenBusinessPostingGroup,
    GeneralPostingSetup,
    GenProductPostingGroup,
    GLAccount,
    GLEntry,
    GLSetup,
)


class KeyUnchangedMixin:
    """The code or number addresses the record; a PUT or PATCH may repeat it but not change it."""

    key_field = "no"

    def validate(self, attrs):
        attrs = super().validate(attrs)
        key = attrs.get(self.key_field)
        if self.instance is not None and key is not None and key != getattr(self.instance, self.key_field):
            raise serializers.ValidationError(
                {self.key_field: [_("The code of an existing record cannot be changed.")]}
            )
        return attrs


class GLAccountSerializer(KeyUnchangedMixin, serializers.ModelSerializer):
    class Meta:
        model = GLAccount
        fields = ["no", "name", "income_balance", "account_type", "blocked"]
        # The uniqueness of the number is checked by the database (a 400 naming "no"), not by a query first.
        extra_kwargs = {"no": {"validators": []}}


class GenBusinessPostingGroupSerializer(KeyUnchangedMixin, serializers.ModelSerializer):
    key_field = "code"

    class Meta:
        model = GenBusinessPostingGroup
        fields = ["code", "description"]
        extra_kwargs = {"code": {"validators": []}}


class GenProductPostingGroupSerializer(KeyUnchangedMixin, serializers.ModelSerializer):
    key_field = "code"

    class Meta:
        model = GenProductPostingGroup
        fields = ["code", "description"]
        extra_kwargs = {"code": {"validators": []}}


def account_field():
    return CodeField(blank=None, required=False, allow_blank=True, allow_null=True)


class GeneralPostingSetupSerializer(serializers.ModelSerializer):
    gen_bus_posting_group = CodeField(required=False, allow_blank=True, default="")
    gen_prod_posting_group = CodeField()
    cogs_account = account_field()
    cogs_account_interim = account_field()
    inventory_adjmt_account = account_field()
    direct_cost_applied_account = account_field()
    overhead_applied_account = account_field()
    purchase_variance_account = account_field()
    invt_accrual_account_interim = account_field()

    class Meta:
        model = GeneralPostingSetup
        fields = [
            "id",
            "gen_bus_posting_group",
            "gen_prod_posting_group",
            *GeneralPostingSetup.ACCOUNT_FIELDS,
            "blocked",
        ]
        validators = []


class GLSetupSerializer(serializers.ModelSerializer):
    class Meta:
        model = GLSetup
        fields = ["allow_posting_from", "allow_posting_to"]

    def validate(self, attrs):
        start = attrs.get("allow_posting_from", getattr(self.instance, "allow_posting_from", None))
        end = attrs.get("allow_posting_to", getattr(self.instance, "allow_posting_to", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"allow_posting_to": [_("Allow posting to must not be before allow posting from.")]}
            )
        return attrs


class GLEntrySerializer(serializers.ModelSerializer):
    gl_account = CodeField(read_only=True)
    transaction_no = serializers.IntegerField(source="transaction_id", read_only=True)
    amount = AmountField(read_only=True)
    value_entry_nos = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("The value entries this G/L entry was posted from (G/L - item ledger relation)."),
    )

    class Meta:
        model = GLEntry
        fields = [
            "entry_no",
            "gl_account",
            "posting_date",
            "document_no",
            "external_document_no",
            "description",
            "amount",
            "transaction_no",
            "source_code",
            "value_entry_nos",
        ]
        read_only_fields = fields


class GLJournalLineSerializer(serializers.Serializer):
    gl_account = serializers.CharField(max_length=20)
    posting_date = serializers.DateField()
    document_no = serializers.CharField(max_length=40)
    amount = AmountField()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GLJournalPostSerializer(serializers.Serializer):
    lines = GLJournalLineSerializer(many=True, allow_empty=False, max_length=10000)


class GLJournalResultSerializer(serializers.Serializer):
    gl_entries = GLEntrySerializer(many=True)
