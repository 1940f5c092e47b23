"""HTML pages for the studio's directory: teachers, families, students, import and export."""
from flask import Blueprint

from app.people import policies

people_bp = Blueprint("people", __name__)


@people_bp.context_processor
def inject_policies():
    return {"policies": policies}


from app.people.views import csv_import_export, families, students, teachers  # noqa: E402,F401
