"""Planning a families-and-students import: what each CSV row would create or match.

A row creates a student (and a family, and guardians) unless the student is already in the
studio: matched by email (with the same first name), or by full name within the family the
row resolves to. Rows are grouped into one family by parent email, the Family column, or the
parent's name. Everything the studio already has is loaded once (a handful of queries), so
planning 10,000 rows is a matter of dictionary lookups.
"""
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select

from app.accounts.models import Membership, User
from app.core import validation
from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile
from app.people.services.common import birth_date, optional_rate
from app.people.services.csv_read import COLUMNS

CREATE, MATCH, REJECT = "create", "match", "reject"
ARCHIVED_WORDS = {"inactive", "archived", "former", "withdrawn", "no", "false", "0", "quit", "stopped"}
FIELD_LABELS = {
    "first_name": "Student first name", "last_name": "Student last name", "email": "Student email",
    "phone": "Student phone", "instrument": "Instrument", "date_of_birth": "Birth date",
    "emergency_contact_name": "Emergency contact", "emergency_contact_phone": "Emergency phone",
    "default_lesson_rate": "Lesson rate", "default_lesson_minutes": "Lesson length", "notes": "Notes",
}
ISO_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
MONTH_FIRST_FORMATS = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y")
DAY_FIRST_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
WORDY_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


@dataclass
class NewFamily:
    name: str
    phone: str = ""
    billing_email: str = ""
    address: str = ""
    guardians: list = field(default_factory=list)
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class RowPlan:
    row: int
    status: str = CREATE
    student: str = ""
    family: str = ""
    teacher: str = ""
    actions: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    family_id: uuid.UUID | None = None
    new_family: NewFamily | None = None
    added_guardians: list = field(default_factory=list)

    def reject(self, reason):
        self.status = REJECT
        self.reasons.append(reason)

    def as_json(self):
        return {"row": self.row, "status": self.status, "student": self.student,
                "family": self.family, "teacher": self.teacher, "actions": self.actions,
                "reasons": self.reasons, "warnings": self.warnings}


@dataclass
class Plan:
    rows: list
    new_families: list

    def counts(self):
        counts = {CREATE: 0, MATCH: 0, REJECT: 0}
        for row in self.rows:
            counts[row.status] += 1
        return {
            "rows": len(self.rows), "create": counts[CREATE], "match": counts[MATCH],
            "reject": counts[REJECT], "families": len(self.new_families),
            "guardians": sum(len(f.guardians) for f in self.new_families)
            + sum(len(r.added_guardians) for r in self.rows),
        }


# ------------------------------------------------------------------ what the studio has

def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Directory:
    """The studio's existing people, loaded once per plan (a handful of queries)."""

    def __init__(self, studio, rows):
        self.studio = studio
        self._load_teachers()
        self._load_students()
        self._load_families()
        emails = {r.get(k, "").strip().lower() for r in rows for k in ("parent_email", "parent2_email")}
        self._load_users(e for e in emails if e)

    def _load_teachers(self):
        rows = db.session.execute(
            select(TeacherProfile.id, User.email, User.first_name, User.last_name)
            .join(User, User.id == TeacherProfile.user_id)
            .where(TeacherProfile.studio_id == self.studio.id, TeacherProfile.is_active.is_(True))
        ).all()
        self.teachers_by_email = {r.email: r for r in rows}
        self.teachers_by_name = {}
        self.teachers_by_first = {}
        for r in rows:
            self.teachers_by_name[f"{r.first_name} {r.last_name}".strip().lower()] = r
            self.teachers_by_name[f"{r.last_name}, {r.first_name}".lower()] = r
            self.teachers_by_first.setdefault(r.first_name.lower(), []).append(r)

    def _load_students(self):
        rows = db.session.execute(
            select(Student.id, Student.email, Student.first_name, Student.last_name, Student.family_id)
            .where(Student.studio_id == self.studio.id)
        ).all()
        self.students_by_email = {r.email: r for r in rows if r.email}
        self.students_by_family_name = {
            (r.family_id, f"{r.first_name} {r.last_name}".strip().lower()): r for r in rows
        }

    def _load_families(self):
        families = db.session.execute(
            select(Family.id, Family.name).where(Family.studio_id == self.studio.id)
        ).all()
        self.family_names = {f.id: f.name for f in families}
        self.families_by_name = {}
        for f in families:
            self.families_by_name.setdefault(f.name.strip().lower(), []).append(f.id)
        guardians = db.session.execute(
            select(FamilyGuardian.family_id, FamilyGuardian.email, User.email.label("user_email"))
            .outerjoin(User, User.id == FamilyGuardian.user_id)
            .where(FamilyGuardian.studio_id == self.studio.id)
        ).all()
        self.family_by_guardian_email = {}
        for g in guardians:
            for email in {g.email, g.user_email} - {None}:
                self.family_by_guardian_email.setdefault(email, g.family_id)

    def _load_users(self, emails):
        self.members_by_email = {}
        for chunk in _chunks(emails):
            rows = db.session.execute(
                select(User.id, User.email, Membership.role)
                .join(Membership, and_(Membership.user_id == User.id,
                                       Membership.studio_id == self.studio.id,
                                       Membership.is_active.is_(True)))
                .where(User.email.in_(chunk))
            ).all()
            self.members_by_email.update({r.email: r for r in rows})

    def find_teacher(self, value):
        key = " ".join(value.split()).lower()
        found = self.teachers_by_email.get(key) or self.teachers_by_name.get(key)
        if found is None and len(self.teachers_by_first.get(key, [])) == 1:
            found = self.teachers_by_first[key][0]
        return found


class Pending:
    """What earlier rows of the same file will create."""

    def __init__(self):
        self.family_by_key = {}
        self.students_by_email = {}
        self.family_ids = set()
        self.names = {}
        self.guardian_emails = set()


# ------------------------------------------------------------------ one row

def _split_name(full):
    full = " ".join((full or "").split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return (first, last) if first else (last, "")


def _parse_date(text, month_first):
    text = " ".join(text.split())
    formats = ISO_FORMATS + (MONTH_FIRST_FORMATS if month_first else DAY_FIRST_FORMATS) + WORDY_FORMATS
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year >= 1000:  # a four-digit year, not "5/15/10"
            return parsed
    return None


def _parse_minutes(text, plan):
    digits = text.lower().replace("minutes", "").replace("mins", "").replace("min", "").strip()
    if not digits.isdigit():
        plan.reject(f"Lesson length \"{text}\" is not a number of minutes.")
        return None
    return int(digits)


def _student_fields(raw, studio, plan):
    first, last = raw.get("first_name", ""), raw.get("last_name", "")
    if not first and raw.get("name"):
        first, last_from_name = _split_name(raw["name"])
        last = last or last_from_name
    fields = {
        "first_name": first, "last_name": last, "email": raw.get("email", ""),
        "phone": raw.get("phone", ""), "instrument": " ".join(raw.get("instrument", "").split()),
        "emergency_contact_name": raw.get("emergency_name", ""),
        "emergency_contact_phone": raw.get("emergency_phone", ""), "notes": raw.get("notes", ""),
        "is_active": raw.get("status", "").strip().lower() not in ARCHIVED_WORDS,
    }
    if raw.get("birth_date"):
        month_first = (studio.locale or "en_US").startswith("en_US")
        fields["date_of_birth"] = _parse_date(raw["birth_date"], month_first)
        if fields["date_of_birth"] is None:
            plan.reject(f"Birth date \"{raw['birth_date']}\" is not a date; use YYYY-MM-DD.")
            fields.pop("date_of_birth")
    if raw.get("lesson_minutes"):
        fields["default_lesson_minutes"] = _parse_minutes(raw["lesson_minutes"], plan)
    if raw.get("lesson_rate"):
        fields["default_lesson_rate"] = raw["lesson_rate"].replace("$", "").replace(",", "").strip()
    errors = validation.FieldErrors()
    errors.clean(fields, "first_name", validation.text, max_length=80, required=True,
                 missing="Enter the student's first name.")
    for name, limit in (("last_name", 80), ("phone", 40), ("instrument", 60),
                        ("emergency_contact_name", 120), ("emergency_contact_phone", 40),
                        ("notes", 10000)):
        errors.clean(fields, name, validation.text, max_length=limit)
    errors.clean(fields, "email", validation.email)
    errors.clean(fields, "date_of_birth", birth_date)
    errors.clean(fields, "default_lesson_rate", optional_rate)
    minutes = fields.get("default_lesson_minutes")
    if minutes is not None and not 5 <= minutes <= 480:
        errors.add("default_lesson_minutes", "Use 5 to 480 minutes.")
    if fields.get("default_lesson_minutes", 0) is None:
        fields.pop("default_lesson_minutes")
    for name, messages in errors.fields.items():
        value = raw.get(name, "")
        shown = f" \"{value[:40]}\"" if value and name == "email" else ""
        plan.reject(f"{FIELD_LABELS.get(name, name)}{shown}: {' '.join(messages)}")
    return fields


def _parent(raw, prefix, plan):
    first, last = raw.get(f"{prefix}_first_name", ""), raw.get(f"{prefix}_last_name", "")
    if not first and raw.get(f"{prefix}_name"):
        first, last_from_name = _split_name(raw[f"{prefix}_name"])
        last = last or last_from_name
    guardian = {"first_name": first, "last_name": last, "email": raw.get(f"{prefix}_email", ""),
                "phone": raw.get(f"{prefix}_phone", "")}
    if not (first or last or guardian["email"]):
        return None
    errors = validation.FieldErrors()
    for name, limit in (("first_name", 80), ("last_name", 80), ("phone", 40)):
        errors.clean(guardian, name, validation.text, max_length=limit)
    errors.clean(guardian, "email", validation.email)
    label = COLUMNS[f"{prefix}_email"][0].removesuffix(" email")
    for name, messages in errors.fields.items():
        shown = f" \"{raw.get(f'{prefix}_email', '')[:40]}\"" if name == "email" else ""
        plan.reject(f"{label} {name.replace('_', ' ')}{shown}: {' '.join(messages)}")
    return guardian


def _parents(raw, plan):
    parents = [p for p in (_parent(raw, "parent", plan), _parent(raw, "parent2", plan)) if p]
    if len(parents) == 2 and parents[0]["email"] and parents[0]["email"] == parents[1]["email"]:
        parents.pop()
    return parents


def _teacher(raw, directory, plan):
    wanted = raw.get("teacher_email") or raw.get("teacher")
    if not wanted:
        return None
    found = directory.find_teacher(wanted)
    if found is None and raw.get("teacher_email") and raw.get("teacher"):
        found = directory.find_teacher(raw["teacher"])
    if found is None:
        plan.warnings.append(f"No teacher matches \"{wanted[:60]}\"; the student will have no teacher.")
        return None
    plan.teacher = f"{found.first_name} {found.last_name}".strip()
    return found.id


def _family_keys(raw, parents):
    keys = [f"email:{p['email']}" for p in parents if p["email"]]
    if raw.get("family"):
        keys.append(f"name:{' '.join(raw['family'].split()).lower()}")
    named = [p for p in parents if p["first_name"] or p["last_name"]]
    if named and not keys:
        keys.append(f"parent:{named[0]['first_name'].lower()} {named[0]['last_name'].lower()}")
    return keys


def _existing_family(raw, parents, directory, plan):
    found = {directory.family_by_guardian_email.get(p["email"]) for p in parents if p["email"]} - {None}
    if len(found) > 1:
        names = " and ".join(sorted(directory.family_names[f] for f in found))
        plan.reject(f"The parent emails belong to two different families ({names}).")
        return None
    if found:
        return found.pop()
    if raw.get("family"):
        ids = directory.families_by_name.get(" ".join(raw["family"].split()).lower(), [])
        if len(ids) > 1:
            plan.reject(f"More than one family is called \"{raw['family']}\"; add a parent email to choose.")
        elif ids:
            return ids[0]
    return None


def _new_family(raw, fields, parents):
    contact = parents[0] if parents else {}
    surname = contact.get("last_name") or fields.get("last_name") or fields["first_name"]
    return NewFamily(
        name=" ".join(raw.get("family", "").split())[:120] or f"{surname} Family",
        phone=contact.get("phone") or fields.get("phone", ""),
        billing_email=contact.get("email") or fields.get("email") or "",
        address=raw.get("address", "")[:500],
    )


def _resolve_family(raw, fields, parents, directory, pending, plan):
    family_id = _existing_family(raw, parents, directory, plan)
    if family_id is not None:
        plan.family_id, plan.family = family_id, directory.family_names[family_id]
        return
    keys = _family_keys(raw, parents)
    known = next((pending.family_by_key[k] for k in keys if k in pending.family_by_key), None)
    plan.new_family = known or _new_family(raw, fields, parents)
    plan.family = plan.new_family.name


def _find_duplicate(fields, directory, pending, plan):
    email, first = fields.get("email"), fields["first_name"].lower()
    full = f"{fields['first_name']} {fields['last_name']}".strip().lower()
    if email and email in directory.students_by_email:
        other = directory.students_by_email[email]
        if other.first_name.lower() == first:
            return "Already in the studio (same email)."
        plan.reject(f"The email {email} belongs to another student, {other.first_name} {other.last_name}.")
    elif email and email in pending.students_by_email:
        row, other_first = pending.students_by_email[email]
        if other_first == first:
            return f"Same student as row {row}."
        plan.reject(f"The email {email} is also used by row {row}.")
    family_key = plan.family_id or (plan.new_family.id if plan.new_family else None)
    if plan.family_id and (plan.family_id, full) in directory.students_by_family_name:
        return f"Already in the {plan.family} family."
    if (family_key, full) in pending.names:
        return f"Same student as row {pending.names[(family_key, full)]}."
    return None


def _record_guardians(raw, parents, directory, pending, plan):
    """New guardians for the row's family (new families get all of theirs)."""
    family = plan.new_family
    if family is not None:
        if family.id not in pending.family_ids:
            pending.family_ids.add(family.id)
            family.guardians.extend(parents)
            plan.actions.append(f"New family \"{family.name}\"")
        else:
            known = {g["email"] for g in family.guardians if g["email"]}
            family.guardians.extend(p for p in parents if p["email"] and p["email"] not in known)
        for key in _family_keys(raw, parents):
            pending.family_by_key.setdefault(key, family)
        return
    for parent in parents:
        key = (plan.family_id, parent["email"])
        if parent["email"] and parent["email"] not in directory.family_by_guardian_email \
                and key not in pending.guardian_emails:
            pending.guardian_emails.add(key)
            plan.added_guardians.append(parent)
            plan.actions.append(f"Add guardian {parent['email']}")


def _plan_row(raw, directory, pending):
    plan = RowPlan(row=raw["row"])
    fields = _student_fields(raw, directory.studio, plan)
    parents = _parents(raw, plan)
    plan.student = f"{fields.get('first_name', '')} {fields.get('last_name', '')}".strip() or "—"
    if fields.get("email") and any(fields["email"] == p["email"] for p in parents):
        fields["email"] = None  # a parent's address, kept on the parent
    if plan.status == REJECT:
        return plan
    _resolve_family(raw, fields, parents, directory, pending, plan)
    if plan.status == REJECT:
        return plan
    duplicate = _find_duplicate(fields, directory, pending, plan)
    if plan.status == REJECT:
        return plan
    if duplicate:
        plan.status = MATCH
        plan.reasons.append(duplicate)
        return plan
    fields["primary_teacher_id"] = _teacher(raw, directory, plan)
    plan.data = fields
    plan.actions.insert(0, "New student" + ("" if fields["is_active"] else " (archived)"))
    _record_guardians(raw, parents, directory, pending, plan)
    family_key = plan.family_id or plan.new_family.id
    pending.names[(family_key, plan.student.lower())] = plan.row
    if fields.get("email"):
        pending.students_by_email[fields["email"]] = (plan.row, fields["first_name"].lower())
    return plan


def plan_import(studio, rows, directory=None):
    """What importing `rows` would do now: a RowPlan per row and the new families."""
    directory = directory or Directory(studio, rows)
    pending = Pending()
    plans = [_plan_row(raw, directory, pending) for raw in rows]
    new_families = {}
    for plan in plans:
        if plan.status == CREATE and plan.new_family is not None:
            new_families.setdefault(plan.new_family.id, plan.new_family)
    return Plan(rows=plans, new_families=list(new_families.values()))
