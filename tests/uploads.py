"""Sample files for upload tests, small and real, and the signed-in principal uploads read.

The library's recordings and scores come from its demo (app.library.demo); the images here
can also be noise, of another mode, or saved with options, which the file layer's tests need."""
import io
import os
from contextlib import contextmanager

from flask import g
from PIL import Image

from app.core.tenancy import Principal


def png_bytes(size=(40, 30), color=(200, 30, 30), mode="RGB", **save):
    """A PNG of one colour, or of noise (which does not compress) when color is None."""
    out = io.BytesIO()
    if color is None:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new(mode, size, color)
    image.save(out, "PNG", **save)
    return out.getvalue()


@contextmanager
def acting(user, studio, role="admin"):
    """The principal a signed-in request would have (storing a file reads the current studio)."""
    g.web_principal = Principal(user=user, studio=studio, role=role)
    try:
        yield
    finally:
        g.pop("web_principal", None)
