"""The calendar page's view model: which days, which rows, where each lesson sits.

The grid has one row per 15 minutes. Lessons are placed with CSS classes (`row-N`,
`span-N`, `lane-I lanes-K`, `tc-N` for the teacher's colour): the strict CSP forbids style
attributes, so every position is a class from static/css/calendar.css.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.core.timeutil import add_months, month_end, month_start, studio_zone, week_bounds
from app.scheduling.services.common import closed_checker

VIEWS = ("day", "week", "month")
SLOT_MINUTES = 15
DAY_START, DAY_END = 8, 20  # hours shown when no lesson is earlier or later
MAX_LANES = 6
PALETTE_SIZE = 12
PALETTE = ("#5b3cc4", "#1d63d8", "#0f766e", "#2f7d32", "#6b7a00", "#b45309",
           "#c2410c", "#b91c1c", "#be185d", "#7e22ce", "#475569", "#8b5a2b")
DEFAULT_COLOR = "#5b3cc4"
MONTH_CHIPS = 4  # lessons listed per day in month view before "+N more"
TOO_MANY = 400  # beyond this many lessons the grid shows counts and asks for a filter


def _rgb(color):
    color = (color or "").lstrip("#")
    try:
        return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return None


def palette_index(color, fallback):
    """The palette entry nearest the teacher's colour; teachers who kept the default colour
    are told apart by `fallback` (their position in the studio's teacher list)."""
    rgb = _rgb(color)
    if rgb is None or (color or "").lower() == DEFAULT_COLOR:
        return fallback % PALETTE_SIZE
    def distance(index):
        return sum((a - b) ** 2 for a, b in zip(rgb, _rgb(PALETTE[index]), strict=True))

    return min(range(PALETTE_SIZE), key=distance)


def teacher_colors(teachers):
    """{teacher id: palette index} for a list of teachers in a stable order."""
    return {t.id: palette_index(t.calendar_color, n) for n, t in enumerate(teachers)}


@dataclass
class Placed:
    lesson: object
    start: datetime  # local
    end: datetime  # local
    row: int = 1
    span: int = 1
    lane: int = 0
    lanes: int = 1
    color: int = 0


@dataclass
class Day:
    day: date
    is_today: bool
    closure: object = None
    lessons: list = field(default_factory=list)
    in_month: bool = True
    overflow_count: int = 0  # lessons counted but not listed (too many to show)

    @property
    def count(self):
        return len(self.lessons)


@dataclass
class CalendarView:
    view: str
    anchor: date
    first_day: date
    last_day: date
    today: date
    days: list
    start_hour: int = DAY_START
    end_hour: int = DAY_END
    too_many: bool = False
    lesson_count: int = 0

    @property
    def rows(self):
        return (self.end_hour - self.start_hour) * 60 // SLOT_MINUTES

    @property
    def hours(self):
        """(time, row) of every hour label."""
        return [(time(h), (h - self.start_hour) * 60 // SLOT_MINUTES + 1)
                for h in range(self.start_hour, self.end_hour)]

    @property
    def half_hours(self):
        """(time, row) of every half-hour slot a free-slot link covers."""
        return [(time(h, m), (h - self.start_hour) * 60 // SLOT_MINUTES + m // SLOT_MINUTES + 1)
                for h in range(self.start_hour, self.end_hour) for m in (0, 30)]

    @property
    def weeks(self):
        return [self.days[i:i + 7] for i in range(0, len(self.days), 7)]

    @property
    def previous(self):
        return shift(self.view, self.anchor, -1)

    @property
    def next(self):
        return shift(self.view, self.anchor, 1)


def shift(view, anchor, steps):
    if view == "day":
        return anchor + timedelta(days=steps)
    if view == "week":
        return anchor + timedelta(weeks=steps)
    return add_months(month_start(anchor), steps)


def visible_range(view, anchor):
    """(first_day, last_day) a view shows around `anchor`. Weeks start on Monday."""
    if view == "day":
        return anchor, anchor
    if view == "week":
        return week_bounds(anchor)
    return week_bounds(month_start(anchor))[0], week_bounds(month_end(anchor))[1]


def _assign_lanes(placed):
    """Side by side for overlapping lessons: greedy lanes per cluster of overlaps."""
    placed.sort(key=lambda p: (p.start, p.end))
    cluster, lane_ends, cluster_end = [], [], None
    for p in placed:
        if cluster and p.start >= cluster_end:
            _close_cluster(cluster, len(lane_ends))
            cluster, lane_ends = [], []
        lane = next((i for i, end in enumerate(lane_ends) if end <= p.start), None)
        if lane is None:
            lane_ends.append(p.end)
            lane = len(lane_ends) - 1
        else:
            lane_ends[lane] = p.end
        p.lane = min(lane, MAX_LANES - 1)
        cluster.append(p)
        cluster_end = p.end if len(cluster) == 1 else max(cluster_end, p.end)
    if cluster:
        _close_cluster(cluster, len(lane_ends))


def _close_cluster(cluster, lanes):
    for p in cluster:
        p.lanes = min(lanes, MAX_LANES)


def build(studio, view, anchor, today, lessons, colors):
    """Lay out `lessons` (already filtered to the visible range) for a view."""
    tz = studio_zone(studio)
    first, last = visible_range(view, anchor)
    closure_on = closed_checker(studio, first, last)
    days, by_day = [], {}
    day = first
    while day <= last:
        entry = Day(day, day == today, closure_on(day), in_month=view != "month" or day.month == anchor.month)
        days.append(entry)
        by_day[day] = entry
        day += timedelta(days=1)
    calendar = CalendarView(view, anchor, first, last, today, days, lesson_count=len(lessons))
    calendar.too_many = view != "month" and len(lessons) > TOO_MANY
    for lesson in lessons:
        start, end = lesson.start_at.astimezone(tz), lesson.end_at.astimezone(tz)
        entry = by_day.get(start.date())
        if entry is not None:
            entry.lessons.append(Placed(lesson, start, end, color=colors.get(lesson.teacher_id, 0)))
    _fit_hours(calendar)
    for entry in days:
        _place(calendar, entry.lessons)
    return calendar


def _fit_hours(calendar):
    placed = [p for d in calendar.days for p in d.lessons]
    if placed:
        calendar.start_hour = min(DAY_START, min(p.start.hour for p in placed))
        latest = max(p.end.hour + (1 if p.end.minute or p.end.date() > p.start.date() else 0)
                     if p.end.date() == p.start.date() else 24 for p in placed)
        calendar.end_hour = max(DAY_END, min(24, latest))


def _place(calendar, placed):
    for p in placed:
        minutes = (p.start.hour - calendar.start_hour) * 60 + p.start.minute
        p.row = minutes // SLOT_MINUTES + 1
        end_minutes = ((p.end.hour if p.end.date() == p.start.date() else 24) - calendar.start_hour) * 60 \
            + (p.end.minute if p.end.date() == p.start.date() else 0)
        p.span = max(1, -(-(end_minutes - minutes) // SLOT_MINUTES))
        p.span = min(p.span, calendar.rows - p.row + 1)
    _assign_lanes(placed)
