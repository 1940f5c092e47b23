"""Invoice PDFs: WeasyPrint renders the same Jinja partial as the HTML invoice page.

Laying out a PDF takes about a hundred milliseconds, rendering its HTML a few, so finished
PDFs are kept on disk under PDF_CACHE_DIR, named by the invoice and the digest of the HTML
they were made from: any change to the invoice, its family or the studio's details changes
the HTML, so a stale PDF is never served. Only the newest file per invoice is kept.
"""
import base64
import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app, make_response, render_template, request


def _layout(html):
    # Imported here on purpose: WeasyPrint loads Pango and its fonts when imported (about a
    # second, and tens of megabytes), which only a process that lays out a PDF should pay.
    from weasyprint import HTML, URLFetcher

    # The document is self-contained; nothing in it may make WeasyPrint fetch a URL or file.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def invoice_pdf(studio, invoice):
    """(PDF bytes, digest) of the invoice, in the studio's name, locale and currency."""
    html = render_template("billing/invoices/pdf.html", studio=studio, invoice=invoice,
                           logo_src=_logo_src(studio))
    digest = hashlib.sha256(html.encode()).hexdigest()[:32]
    folder = current_app.config.get("PDF_CACHE_DIR")
    if not folder:
        return _layout(html), digest
    path = Path(folder) / f"{invoice.id}.{digest}.pdf"
    try:
        return path.read_bytes(), digest
    except OSError:
        pass
    data = _layout(html)
    _store(path, data)
    return data, digest


def _logo_src(studio):
    """The studio's logo inlined as a data: URL (the PDF fetches nothing), or None."""
    if not studio.logo_digest or not studio.logo:
        return None
    return "data:image/png;base64," + base64.b64encode(studio.logo).decode()


def _store(path, data):
    """Write atomically, then forget the invoice's older versions. A cache that cannot be
    written (read-only disk, full disk) only costs the next request another layout."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
        invoice_id = path.name.split(".", 1)[0]
        for old in path.parent.glob(f"{invoice_id}.*.pdf"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        current_app.logger.warning("could not cache the PDF at %s", path, exc_info=True)


def pdf_filename(invoice):
    return f"{invoice.number or 'draft-' + str(invoice.id)[:8]}.pdf"


def pdf_response(studio, invoice):
    """The PDF with an ETag of its content: a client holding the current copy gets a 304."""
    data, digest = invoice_pdf(studio, invoice)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(digest)
    return response.make_conditional(request)
