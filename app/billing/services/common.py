"""Helpers every billing service uses: amounts, references, due dates, row locks."""
from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import Studio
from app.core import validation
from app.core.db import lock
from app.core.errors import ValidationFailed
from app.core.money import ZERO, to_money
from app.core.tenancy import parse_uuid
from app.extensions import db


def due_date_for(studio, issue_date):
    """When an invoice issued on `issue_date` falls due: the studio's payment terms later."""
    return issue_date + timedelta(days=studio.invoice_due_days or 0)


def amount_of(value, name, *, positive=False):
    """A money input (core/validation) to the cent: not negative (`positive`: above zero);
    19.999 is refused, never rounded."""
    return to_money(validation.field(name, validation.money, value, minimum=0, positive=positive))


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


def lock_studio(studio):
    """Serialize billing runs of one studio until the transaction ends.

    PostgreSQL: SELECT … FOR UPDATE of the studio row. SQLite: a no-op UPDATE, which starts
    the write transaction (pysqlite would otherwise let a SAVEPOINT begin it, and releasing
    that savepoint would commit at once instead of with the request).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Studio).where(Studio.id == studio.id)
                           .values(next_invoice_number=Studio.next_invoice_number))
        return studio
    return lock(Studio, studio)


def non_negative(value):
    return value if value > ZERO else ZERO
