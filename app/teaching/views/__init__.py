"""HTML pages for teaching records: notes, goals, lesson plans, practice, lesson panel."""
from flask import Blueprint

from app.core.richtext import render_markdown
from app.teaching import policies

teaching_bp = Blueprint("teaching", __name__)


@teaching_bp.app_template_filter("markdown")
def markdown_filter(text):
    """`{{ note.summary | markdown }}`: Markdown rendered and sanitised (nh3)."""
    return render_markdown(text)


@teaching_bp.app_context_processor
def inject_teaching_policies():
    return {"teaching_policies": policies}


from app.teaching.views import goals, notes, plans, practice  # noqa: E402,F401
