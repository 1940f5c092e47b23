"""`make bench`: query counts and server times of the key pages on the large demo (SPEC §8)."""
