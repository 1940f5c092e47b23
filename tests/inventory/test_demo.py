"""`flask seed-demo` shows a living inventory (SPEC §6)."""
import io

from PIL import Image
from sqlalchemy import func, select

from app.core.storage import get_store
from app.demo import seed
from app.extensions import db
from app.inventory.models import Checkout, InventoryItem, ItemPhoto
from app.people.models import Student


def test_demo_inventory_has_photos_loans_two_overdue_and_a_request(ctx):
    studio = seed()
    db.session.flush()
    items = db.session.scalars(select(InventoryItem).where(InventoryItem.studio_id == studio.id)).all()
    assert len(items) == 12
    names = " ".join(item.name for item in items)
    for word in ("Violin", "Cello", "guitar", "keyboard", "music stand", "Metronome", "Volume 1"):
        assert word in names
    assert all(len(item.photos) == 1 and item.primary_photo is not None for item in items)
    photo = db.session.scalars(select(ItemPhoto)).first()
    thumbnail = Image.open(io.BytesIO(get_store().read(photo.thumbnail.storage_key)))
    assert max(thumbnail.size) <= 320
    statuses = db.session.scalars(select(Checkout.status).where(Checkout.studio_id == studio.id)).all()
    assert statuses.count("overdue") == 2 and statuses.count("requested") == 1
    assert statuses.count("checked_out") >= 3
    for item in items:  # the shelf agrees with the loans
        out = db.session.scalar(select(func.coalesce(func.sum(Checkout.quantity), 0)).where(
            Checkout.item_id == item.id,
            Checkout.status.in_(("approved", "checked_out", "overdue"))))
        assert item.available_quantity == item.quantity - out
    sam = db.session.scalar(select(Student).where(Student.studio_id == studio.id,
                                                  Student.first_name == "Sam",
                                                  Student.last_name == "Bennett"))
    family_ids = select(Student.id).where(Student.family_id == sam.family_id)
    family_loans = db.session.scalars(select(Checkout).where(
        Checkout.student_id.in_(family_ids))).all()
    assert any("Violin" in c.item.name and c.status == "checked_out" and c.student_id == sam.id
               for c in family_loans)
    assert any("Violin" in c.item.name and c.status == "requested" for c in family_loans)
