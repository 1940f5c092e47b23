"""Demo inventory for Harmony Music Studio: a dozen instruments, stands and books with
photos drawn here (stored like uploads), a few loans out, two overdue, and a request
waiting at the desk. Sam Bennett (student@demo.test) has a violin out; his sister Lily's
request for another waits."""
import io
from datetime import timedelta

from flask import current_app, g
from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.accounts.models import User
from app.core.db import utcnow
from app.core.tenancy import Principal
from app.extensions import db
from app.inventory import services
from app.people.models import Student

WOOD, DARK, BRASS, PAPER = (176, 98, 42), (70, 40, 20), (200, 160, 60), (245, 240, 228)

# name, category, quantity, max days, rental fee, value, location, condition, serial, drawing
ITEMS = [
    ("Violin 1/2", "instrument", 2, 30, "15.00", "420.00", "Cabinet A", "good", "VN-12", "violin"),
    ("Violin 3/4", "instrument", 2, 30, "15.00", "480.00", "Cabinet A", "excellent", "VN-34",
     "violin"),
    ("Violin 4/4", "instrument", 1, 30, "18.00", "650.00", "Cabinet A", "good", "VN-44", "violin"),
    ("Cello 1/2", "instrument", 1, 21, "25.00", "1200.00", "Room 2 corner", "good", "VC-12", "cello"),
    ("Classical guitar 3/4", "instrument", 3, 21, "10.00", "180.00", "Cabinet B", "good", "GT-34",
     "guitar"),
    ("Classical guitar 4/4", "instrument", 2, 21, "10.00", "220.00", "Cabinet B", "fair", "GT-44",
     "guitar"),
    ("Portable keyboard, 61 keys", "instrument", 2, 30, "12.00", "250.00", "Storage room", "good",
     "KB-61", "keyboard"),
    ("Digital piano, 88 keys", "instrument", 1, 60, "30.00", "900.00", "Storage room", "excellent",
     "KB-88", "keyboard"),
    ("Folding music stand", "equipment", 8, 60, None, "25.00", "Hall closet", "good", "", "stand"),
    ("Metronome (mechanical)", "equipment", 3, 30, None, "45.00", "Front desk", "excellent", "",
     "metronome"),
    ("Suzuki Violin School, Volume 1", "book", 6, 45, None, "18.00", "Bookshelf", "good", "",
     "book"),
    ("Essential Elements for Guitar, Book 1", "book", 4, 45, None, "15.00", "Bookshelf", "good", "",
     "book"),
]


def _canvas():
    image = Image.new("RGB", (640, 480), PAPER)
    return image, ImageDraw.Draw(image)


def _violin(draw, scale=1.0):
    cx = 320
    h = int(150 * scale)
    draw.ellipse([cx - 95 * scale, 240 - 10, cx + 95 * scale, 240 + h], fill=WOOD, outline=DARK,
                 width=4)
    draw.ellipse([cx - 75 * scale, 240 - h + 20, cx + 75 * scale, 250], fill=WOOD, outline=DARK,
                 width=4)
    draw.rectangle([cx - 10, 30, cx + 10, 240], fill=DARK)
    draw.ellipse([cx - 22, 14, cx + 22, 56], fill=DARK)
    for dx in (-35, 35):
        draw.arc([cx + dx - 12, 250, cx + dx + 12, 320], 60, 300, fill=DARK, width=4)
    for dx in (-6, -2, 2, 6):
        draw.line([cx + dx, 40, cx + dx, 400], fill=(230, 230, 230), width=1)


def _guitar(draw):
    cx = 320
    draw.ellipse([cx - 130, 250, cx + 130, 460], fill=(210, 160, 90), outline=DARK, width=4)
    draw.ellipse([cx - 100, 150, cx + 100, 320], fill=(210, 160, 90), outline=DARK, width=4)
    draw.ellipse([cx - 38, 270, cx + 38, 346], fill=DARK)
    draw.rectangle([cx - 16, 20, cx + 16, 230], fill=DARK)
    draw.rectangle([cx - 24, 10, cx + 24, 60], fill=(90, 50, 25))
    for dx in range(-10, 12, 4):
        draw.line([cx + dx, 20, cx + dx, 400], fill=(235, 235, 235), width=1)


def _keyboard(draw):
    draw.rectangle([40, 150, 600, 340], fill=(40, 40, 45))
    key = 520 // 15
    for n in range(15):
        draw.rectangle([60 + n * key, 190, 60 + (n + 1) * key - 2, 320], fill="white",
                       outline=(40, 40, 45))
    for n in (0, 1, 3, 4, 5, 7, 8, 10, 11, 12):
        x = 60 + n * key + key * 2 // 3
        draw.rectangle([x, 190, x + key * 2 // 3, 270], fill="black")


def _stand(draw):
    draw.polygon([(170, 70), (470, 70), (440, 230), (200, 230)], fill=(60, 60, 60))
    draw.line([320, 230, 320, 420], fill=(60, 60, 60), width=10)
    for dx in (-120, 0, 120):
        draw.line([320, 420, 320 + dx, 460], fill=(60, 60, 60), width=8)


def _metronome(draw):
    draw.polygon([(320, 40), (440, 430), (200, 430)], fill=WOOD, outline=DARK)
    draw.rectangle([250, 330, 390, 420], fill=DARK)
    draw.line([320, 360, 380, 90], fill=BRASS, width=6)
    draw.rectangle([360, 150, 390, 180], fill=BRASS)


def _book(draw):
    draw.rectangle([180, 50, 470, 440], fill=(30, 90, 150), outline=(20, 50, 90), width=6)
    draw.rectangle([210, 100, 440, 170], fill=PAPER)
    for y in (230, 260, 290):
        draw.line([220, y, 430, y], fill=PAPER, width=3)
        for x in range(240, 430, 45):
            draw.ellipse([x, y - 9, x + 14, y + 3], fill=PAPER)


def drawing_jpeg(kind):
    """A simple drawing of the item as a JPEG."""
    image, draw = _canvas()
    {"violin": _violin, "cello": lambda d: _violin(d, 1.5), "guitar": _guitar,
     "keyboard": _keyboard, "stand": _stand, "metronome": _metronome, "book": _book}[kind](draw)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def seed_inventory(studio):
    """The demo inventory; photos are stored like uploads (local folder or S3)."""
    admin = _user("admin@demo.test") or _user("owner@demo.test")
    with current_app.test_request_context("/"):
        g.web_principal = Principal(user=admin, studio=studio, role="admin")
        return _seed_items(studio, admin)


def _seed_items(studio, admin):
    items = {}
    for name, category, quantity, days, fee, value, location, condition, serial, kind in ITEMS:
        item = services.create_item(studio, admin, name=name, category=category, quantity=quantity,
                                    max_checkout_days=days, rental_fee=fee, value=value,
                                    location=location, condition=condition, serial_number=serial,
                                    is_borrowable=True)
        services.add_photo(studio, admin, item,
                           FileStorage(io.BytesIO(drawing_jpeg(kind)), filename=f"{kind}.jpg"))
        items[name] = item
    services.update_item(studio, admin, items["Digital piano, 88 keys"], is_borrowable=False,
                         notes="Stays in the studio for recitals.")
    students = db.session.scalars(select(Student).where(
        Student.studio_id == studio.id, Student.is_active.is_(True))
        .order_by(Student.last_name, Student.first_name, Student.id)).all()
    by_name = {(s.first_name, s.last_name): s for s in students}
    sam, lily = by_name.get(("Sam", "Bennett")), by_name.get(("Lily", "Bennett"))
    others = [s for s in students if s not in (sam, lily)]
    parent = _user("parent@demo.test")
    now = utcnow()

    def lend(item_name, student, days_ago, requester=admin):
        checkout = services.request_checkout(studio, requester, items[item_name], student)
        return services.approve_checkout(studio, admin, checkout, hand_out=True,
                                         now=now - timedelta(days=days_ago))

    if sam is not None:
        lend("Violin 3/4", sam, 6, parent or admin)
    if lily is not None:
        services.request_checkout(studio, parent or admin, items["Violin 1/2"], lily,
                                  notes="Lily starts violin next month; a 1/2 fits her.")
    loans = [("Cello 1/2", 35), ("Classical guitar 3/4", 30), ("Portable keyboard, 61 keys", 9),
             ("Folding music stand", 4), ("Suzuki Violin School, Volume 1", 12),
             ("Metronome (mechanical)", 2)]
    for (item_name, days_ago), student in zip(loans, others, strict=False):
        lend(item_name, student, days_ago)  # the first two are past their due date
    if len(others) > len(loans):
        returned = lend("Classical guitar 4/4", others[len(loans)], 50)
        services.return_checkout(studio, admin, returned, condition="fair",
                                 note="A string replaced.", now=now - timedelta(days=20))
    services.mark_overdue_checkouts(studio)
    db.session.flush()
    return list(items.values())
