"""HTML pages for the resource library."""
from flask import Blueprint

library_bp = Blueprint("library", __name__)
