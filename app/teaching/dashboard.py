"""What teaching adds to the dashboard: the family portal's records, a teacher's notes to write."""
from app.core.permissions import FAMILY, TEACHER
from app.teaching.portal import family_portal, teacher_agenda


def dashboard_context(principal):
    """Extra template context for the dashboard of `principal`'s role."""
    if principal.role in FAMILY:
        return {"portal": family_portal(principal)}
    if principal.role == TEACHER:
        return {"notes_to_write": teacher_agenda(principal)}
    return {}
