"""What the scheduling module adds to the dashboard: a teacher's day, a family's next lessons."""
from app.core.db import utcnow
from app.people.policies import own_teacher_profile
from app.scheduling.forms import AttendanceForm
from app.scheduling.services import upcoming_lessons

UPCOMING = 5


def dashboard_context(principal):
    """Extra template context for the dashboard of `principal`'s role."""
    from app.scheduling.views.helpers import colors_for
    from app.scheduling.views.lessons import agenda_lessons

    if principal.role == "teacher":
        own = own_teacher_profile(principal)
        lessons = agenda_lessons(principal, own.id) if own else []
        return {"today_lessons": lessons, "colors": colors_for(), "attendance_form": AttendanceForm()}
    if principal.role in ("parent", "student"):
        return {"upcoming_lessons": upcoming_lessons(principal, utcnow(), limit=UPCOMING)}
    return {}
