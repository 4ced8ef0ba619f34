"""Saving and deleting setup records (codes, groups, posting setups) with the books' error shapes.

Uniqueness is left to PostgreSQL rather than checked first: the insert runs in a savepoint and a unique violation
becomes a 400 naming the field, so two concurrent creates of the same code cannot both pass a check. A delete that
would orphan a ledger entry or another setup row is refused with 409 (``on_delete=PROTECT`` everywhere).
"""

from collections.abc import Mapping

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput


def _constraint_name(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def save_record(
    instance: models.Model,
    changes: Mapping[str, object],
    *,
    create: bool,
    constraint_fields: Mapping[str, str] | None = None,
) -> models.Model:
    """Apply ``changes`` and save in a savepoint; database constraint violations become InvalidInput.

    ``constraint_fields`` maps a constraint name to the field the error should name; a duplicate primary key names
    the primary key field.
    """
    for name, value in changes.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save(force_insert=create)
    except IntegrityError as exc:
        constraint = _constraint_name(exc)
        pk_name = instance._meta.pk.name
        if constraint.endswith("_pkey"):
            raise InvalidInput.field(
                pk_name,
                _("%(model)s %(key)s already exists.")
                % {"model": capfirst(instance._meta.verbose_name), "key": getattr(instance, pk_name)},
            ) from exc
        field = (constraint_fields or {}).get(constraint, "non_field_errors")
        raise InvalidInput.field(
            field, _("This %(model)s conflicts with an existing record.") % {"model": instance._meta.verbose_name}
        ) from exc
    return instance


def delete_record(instance: models.Model) -> None:
    """Delete a setup record, or 409 ``referenced`` when ledger entries or other setup rows still point at it."""
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        referenced_by = sorted({str(obj._meta.verbose_name) for obj in exc.args[1]}) if len(exc.args) > 1 else []
        raise Conflict(
            _("%(model)s %(record)s cannot be deleted: it is used by %(users)s.")
            % {
                "model": capfirst(instance._meta.verbose_name),
                "record": instance.pk,
                "users": ", ".join(referenced_by) or _("other records"),
            },
            code="referenced",
        ) from exc


def resolve_code(model: type[models.Model], field: str, value: str | None, *, required: bool) -> str | None:
    """The key of an existing ``model`` row named by ``value`` (blank means none), or InvalidInput on ``field``."""
    if value in (None, ""):
        if required:
            raise InvalidInput.field(field, _("This field may not be blank."))
        return None
    if not model.objects.filter(pk=value).exists():
        raise InvalidInput.field(
            field,
            _("%(model)s %(code)s does not exist.") % {"model": capfirst(model._meta.verbose_name), "code": value},
        )
    return value
