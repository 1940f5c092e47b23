"""Photos of an item: uploaded images re-encoded without EXIF, with a server-made thumbnail,
and exactly one primary photo while the item has any."""
from sqlalchemy import select, update

from app.core import files
from app.core.db import lock
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.inventory.models import InventoryItem, ItemPhoto

MAX_PHOTOS = 12


def _locked(item):
    """The item's row, locked until the transaction ends, with its photos as committed: the
    requests changing one item's photos take turns, so the limit and the one primary hold."""
    item = lock(InventoryItem, item, gone="This item has been deleted.")
    # Photos loaded before the lock keep what they read then (another request may have made
    # one primary meanwhile): read them again over what the session holds.
    db.session.scalars(select(ItemPhoto).where(ItemPhoto.item_id == item.id)
                       .execution_options(populate_existing=True)).all()
    db.session.refresh(item, ["photos"])
    return item


def _current(item, photo):
    """`photo` as the locked item has it; gone meanwhile (deleted by another request): 404."""
    photo = next((each for each in item.photos if each.id == photo.id), None)
    if photo is None:
        raise NotFound("This photo has been deleted.")
    return photo


def add_photo(studio, actor, item, upload):
    """Store an uploaded image for `item`. Not an image: a 400 on `photo` and nothing stored;
    a full quota: 413. The first photo becomes the primary one."""
    item = _locked(item)
    if len(item.photos) >= MAX_PHOTOS:
        raise ValidationFailed(field_errors={"photo": [
            f"An item keeps at most {MAX_PHOTOS} photos; delete one first."]})
    original, thumbnail, width, height = files.store_image(upload, field="photo")
    photo = ItemPhoto(studio_id=studio.id, item=item, file_id=original.id, thumbnail_id=thumbnail.id,
                      file=original, thumbnail=thumbnail, width=width, height=height,
                      is_primary=not item.photos)
    db.session.add(photo)
    db.session.flush()
    db.session.refresh(item, ["photos"])
    return photo


def set_primary_photo(studio, actor, item, photo):
    """Make `photo` the item's one primary photo."""
    item = _locked(item)
    photo = _current(item, photo)
    if photo.is_primary:
        return photo
    # Clear the old primary first: the partial unique index allows one at any moment.
    db.session.execute(update(ItemPhoto).where(
        ItemPhoto.studio_id == studio.id, ItemPhoto.item_id == item.id,
        ItemPhoto.is_primary.is_(True)).values(is_primary=False)
        .execution_options(synchronize_session=False))
    db.session.execute(update(ItemPhoto).where(
        ItemPhoto.studio_id == studio.id, ItemPhoto.id == photo.id).values(is_primary=True)
        .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(item, ["photos"])
    for each in item.photos:
        db.session.refresh(each, ["is_primary"])
    return photo


def delete_photo(studio, actor, item, photo):
    """Delete a photo and its files; the oldest remaining photo becomes primary if it was."""
    item = _locked(item)
    photo = _current(item, photo)
    was_primary = photo.is_primary
    original, thumbnail = photo.file, photo.thumbnail
    item.photos.remove(photo)
    db.session.delete(photo)
    db.session.flush()
    files.delete_file(original)
    files.delete_file(thumbnail)
    if was_primary and item.photos:
        successor = min(item.photos, key=lambda p: p.created_at)
        successor.is_primary = True
    db.session.flush()
    db.session.refresh(item, ["photos"])
