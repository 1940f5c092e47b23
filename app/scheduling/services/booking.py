"""What the booking verbs take, one value each instead of a dozen keywords: who and where a
lesson or series is booked (`Placement`), when a series repeats (`Pattern`), and what an edit
of one lesson changes (`LessonChanges`). The pages, the API and the demo build these from
what they received; the services resolve and check every field."""
from dataclasses import dataclass, fields
from datetime import date, time


class _Unset:
    """A field an edit leaves alone (None may be a real value: no room)."""

    def __repr__(self):
        return "UNSET"


UNSET = _Unset()


@dataclass(frozen=True, slots=True)
class Placement:
    """Who teaches whom, where, as what kind of lesson and at what rate. `teacher`, each of
    `students` and `room` are rows or ids; a `rate` of None means the default rate (the
    student's lesson rate, else the teacher's hourly rate pro rata); a `lesson_type` of None
    means the student's usual lesson (a group lesson for several students)."""

    teacher: object
    students: tuple = ()
    lesson_type: str | None = None
    room: object = None
    location: str = ""
    online_url: str = ""
    rate: object = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Pattern:
    """When a series repeats: every week or two from `start_date` on `day_of_week`
    (0 = Monday) at the studio-local `start_time`, through `end_date` or without end."""

    frequency: str = "weekly"
    day_of_week: int | None = None
    start_time: time | None = None
    duration_minutes: int | None = None
    start_date: date | None = None
    end_date: date | None = None

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class LessonChanges:
    """The fields an edit of a lesson sets; the others are UNSET and stay as they are."""

    start: object = UNSET
    end: object = UNSET
    teacher: object = UNSET
    room: object = UNSET
    students: object = UNSET
    location: object = UNSET
    online_url: object = UNSET
    rate: object = UNSET
    notes: object = UNSET
    lesson_type: object = UNSET

    def given(self):
        """{name: value} of the fields this edit sets."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not UNSET}
