"""Bar charts drawn as SVG on the server: bars in a plot area with labelled y ticks at round
values, x labels (thinned when there are many), and a tooltip (<title>) on every bar.
templates/billing/_chart.html draws what `bar_chart` returns; every chart also has a table."""
import math
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 76, 8, 14, 40
MAX_X_LABELS = 12
TICKS = 4


@dataclass(frozen=True)
class Series:
    key: str  # its CSS class
    label: str
    values: list


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


def nice_ticks(top, count=TICKS, whole=False):
    """Round tick values from 0 to at least `top`: steps of 1, 2 or 5 × 10ⁿ (whole numbers
    when `whole`)."""
    top = float(top or 0)
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, round(step))
    steps = math.ceil(top / step - 1e-9)
    return [Decimal(str(round(step * i, 10))).normalize() for i in range(steps + 1)]


def bar_chart(categories, series, fmt, *, stacked=False, whole=False):
    """`categories`: (short label, long label) per group of bars; `series`: Series whose
    values line up with them; `fmt` writes a value for the ticks and tooltips. Stacked bars
    sit on one another, else side by side."""
    values = [[float(v or 0) for v in s.values] for s in series]
    sums = [sum(column) for column in zip(*values, strict=True)] if stacked else \
        [v for row in values for v in row]
    ticks = nice_ticks(max(sums, default=0), whole=whole)
    scale_top = float(ticks[-1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    slot = plot_w / max(len(categories), 1)
    width = slot * 0.76 / (1 if stacked else max(len(series), 1))
    bars = []
    for i, (_short, long) in enumerate(categories):
        stacked_at = 0.0
        for j, s in enumerate(series):
            value = values[j][i]
            height = max(value, 0) / scale_top * plot_h
            x = LEFT + i * slot + slot * 0.12 + (0 if stacked else j * width)
            y = baseline - height - (stacked_at / scale_top * plot_h if stacked else 0)
            stacked_at += max(value, 0)
            bars.append(Bar(round(x, 1), round(y, 1), round(width, 1), round(height, 1), s.key,
                            f"{long}: {fmt(s.values[i])} {s.label.lower()}"))
    every = math.ceil(len(categories) / MAX_X_LABELS) if categories else 1
    labels = [(round(LEFT + i * slot + slot / 2, 1), short) for i, (short, _long) in enumerate(categories)
              if i % every == 0]
    y_ticks = [(round(baseline - float(t) / scale_top * plot_h, 1), fmt(t)) for t in ticks]
    return {"bars": bars, "x_labels": labels, "y_ticks": y_ticks, "series": series,
            "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
            "baseline": baseline, "label_y": HEIGHT - 14}


def month_categories(months, date_format):
    """(short, long) labels of months: "Mar" (with the year on January and the first month)
    and "March 2025"."""
    categories = []
    for i, month in enumerate(months):
        short = date_format(month, "MMM yy" if i == 0 or month.month == 1 else "MMM")
        categories.append((short, date_format(month, "MMMM y")))
    return categories
