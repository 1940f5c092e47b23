"""Instruments and equipment the studio lends: the catalogue, photos, and checkouts."""
