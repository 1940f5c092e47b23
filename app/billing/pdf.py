"""Invoice PDFs: WeasyPrint renders the same Jinja partial as the HTML invoice page."""
from flask import render_template


def invoice_pdf(studio, invoice):
    """The invoice as PDF bytes, in the studio's name, locale and currency."""
    from weasyprint import HTML, URLFetcher

    html = render_template("billing/invoices/pdf.html", studio=studio, invoice=invoice)
    # The document is self-contained; nothing in it may make WeasyPrint fetch a URL or file.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def pdf_filename(invoice):
    return f"{invoice.number or 'draft-' + str(invoice.id)[:8]}.pdf"
