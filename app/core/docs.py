"""Swagger UI and ReDoc pages with local assets and no inline script (strict CSP)."""
from flask import Blueprint, render_template

from app.extensions import talisman

docs_bp = Blueprint("api_docs", __name__)

# Both UIs inject <style> elements at run time and ReDoc runs its search in a blob: worker;
# scripts stay 'self' only.
DOCS_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}


@docs_bp.route("/api/docs/")
@talisman(content_security_policy=DOCS_CSP)
def swagger_ui():
    return render_template("api/swagger.html")


@docs_bp.route("/api/redoc/")
@talisman(content_security_policy=DOCS_CSP)
def redoc():
    return render_template("api/redoc.html")
