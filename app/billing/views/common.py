"""What the billing pages share beyond app/core/views.py."""
import csv
import io

from flask import Response, flash, make_response, redirect, url_for

from app.billing.services import reports
from app.core import htmx
from app.core.views import date_arg
from app.extensions import db
from app.people.models import Family
from app.people.services import visible_families


def chosen_family(family_id):
    """The family a `?family=<id>` link narrows a list to, when the caller may see it."""
    if family_id is None:
        return None
    return db.session.scalar(visible_families().where(Family.id == family_id))


def back_to_invoice(invoice_id, message=None, category="success"):
    if category == "error":
        db.session.rollback()  # a refused action leaves nothing behind
    if message:
        flash(message, category)
    url = url_for("billing.invoice", invoice_id=invoice_id)
    if htmx.is_htmx():
        return htmx.hx_redirect(make_response("", 200), url)
    return redirect(url)


def report_range(studio):
    """The `?start=`/`?end=` of a report page; the last 12 months when missing or not sensible."""
    start, end = reports.default_range(studio)
    start, end = date_arg("start") or start, date_arg("end") or end
    if end < start or (end - start).days > 3660:
        start, end = reports.default_range(studio)
    return start, end


def _safe(value):
    """Spreadsheet formula injection: text cells starting with = + - @ are quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_download(name, header, rows):
    """A CSV attachment `name`.csv of a header and rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})
