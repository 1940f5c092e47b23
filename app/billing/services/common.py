"""Helpers every billing service uses: input checks, the studio's today, row locks."""
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.core.money import MAX_AMOUNT, ZERO, has_cents_only, parse_amount, to_money
from app.core.tenancy import parse_uuid
from app.extensions import db

MAX_QUANTITY = Decimal("10000")


def local_today(studio, now=None) -> date:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(ZoneInfo(studio.timezone or "UTC")).date()


def check_amount(value, field="amount", *, positive=False):
    """A money input as Decimal: a number, at most two decimals, not negative
    (`positive`: more than zero). 19.999 is refused, never rounded."""
    amount = value if isinstance(value, Decimal) else parse_amount(value)
    if amount is None:
        raise ValidationFailed(field_errors={field: ['Enter an amount like "19.99".']})
    if not has_cents_only(amount):
        raise ValidationFailed(field_errors={field: ["Use at most two decimal places."]})
    if amount < 0:
        raise ValidationFailed(field_errors={field: ["Must not be negative."]})
    if positive and amount == 0:
        raise ValidationFailed(field_errors={field: ["Must be more than zero."]})
    if amount > MAX_AMOUNT:
        raise ValidationFailed(field_errors={field: ["The amount is out of range."]})
    return to_money(amount)


def check_quantity(value, field="quantity"):
    quantity = value if isinstance(value, Decimal) else parse_amount(value)
    if quantity is None:
        raise ValidationFailed(field_errors={field: ["Enter a number like 1 or 1.5."]})
    if not has_cents_only(quantity):
        raise ValidationFailed(field_errors={field: ["Use at most two decimal places."]})
    if quantity <= 0:
        raise ValidationFailed(field_errors={field: ["Must be more than zero."]})
    if quantity > MAX_QUANTITY:
        raise ValidationFailed(field_errors={field: [f"At most {MAX_QUANTITY}."]})
    return quantity.quantize(Decimal("0.01"))


def check_text(value, field, max_length, *, required=False):
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(field_errors={field: ["This field is required."]})
    if len(text) > max_length:
        raise ValidationFailed(field_errors={field: [f"Use at most {max_length} characters."]})
    return text


def checked(*checks):
    """Run every check and raise one ValidationFailed with all their field errors, so a
    form shows each problem next to its field at once."""
    results, errors = [], {}
    for check in checks:
        try:
            results.append(check())
        except ValidationFailed as exc:
            errors.update(exc.field_errors)
            results.append(None)
    if errors:
        raise ValidationFailed(field_errors=errors)
    return results


def by_id(studio, model, value, field, label):
    """A row of `studio` by id (or the row itself); a 400 field error when unknown."""
    if isinstance(value, model):
        obj = value if value.studio_id == studio.id else None
    else:
        parsed = parse_uuid(value)
        obj = db.session.scalar(select(model).where(
            model.studio_id == studio.id, model.id == parsed)) if parsed else None
    if obj is None:
        raise ValidationFailed(field_errors={field: [f"Unknown {label}."]})
    return obj


def lock(model, obj):
    """SELECT … FOR UPDATE of one row (PostgreSQL; SQLite serializes writers itself), and
    reload it so the caller computes from the committed values."""
    return db.session.scalar(
        select(model).where(model.id == obj.id).with_for_update()
        .execution_options(populate_existing=True)
    )


def lock_studio(studio):
    """Serialize billing runs of one studio until the transaction ends.

    PostgreSQL: SELECT … FOR UPDATE of the studio row. SQLite: a no-op UPDATE, which starts
    the write transaction (pysqlite would otherwise let a SAVEPOINT begin it, and releasing
    that savepoint would commit at once instead of with the request).
    """
    from sqlalchemy import update

    from app.accounts.models import Studio

    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Studio).where(Studio.id == studio.id)
                           .values(next_invoice_number=Studio.next_invoice_number))
        return studio
    return lock(Studio, studio)


def non_negative(value):
    return value if value > ZERO else ZERO
