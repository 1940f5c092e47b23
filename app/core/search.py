"""Search that ignores case and accents ("garcia" finds "García"), the same on every database.

Each searchable model keeps a `search_text` column: the words a search looks at, folded by
`fold` (lower-case, accents and other marks removed). The model keeps it up to date before
every insert and update, and `core.bulk` fills it for rows written in bulk. A search folds
its text the same way and asks for each word with LIKE on the folded column, so SQLite and
PostgreSQL compare the same plain strings and find the same rows.
"""
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

# Letters that carry their difference in the letter itself, not in a combining mark.
_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ł": "l", "ŧ": "t",
                          "æ": "ae", "œ": "oe", "þ": "th"})
MAX_WORDS = 8


def fold(text):
    """`text` as search compares it: case-folded, without accents, spaces squeezed
    ("  Sofía  GARCÍA " -> "sofia garcia", "Straße" -> "strasse", "Øster" -> "oster")."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.translate(_LETTERS).split())


class Searchable:
    """A model with a `search_text` column made of the attributes named in `search_fields`."""

    search_fields = ()

    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @classmethod
    def search_text_of(cls, values):
        """The folded search text of a row, from {attribute: value} (an object's or a dict)."""
        return fold(" ".join(str(values.get(name) or "") for name in cls.search_fields))


@sa.event.listens_for(Searchable, "before_insert", propagate=True)
@sa.event.listens_for(Searchable, "before_update", propagate=True)
def _refresh_search_text(_mapper, _connection, target):
    target.search_text = type(target).search_text_of(
        {name: getattr(target, name) for name in target.search_fields})


def fill_search_text(model, rows):
    """Set `search_text` in rows (dicts) about to be written past the ORM."""
    if not (isinstance(model, type) and issubclass(model, Searchable)):
        return rows
    for row in rows:
        row["search_text"] = model.search_text_of(row)
    return rows


def search_words(text):
    """The folded words of a search (at most MAX_WORDS), LIKE's wildcards escaped."""
    return [escape_like(word) for word in fold(text).split()[:MAX_WORDS]]


def escape_like(text):
    """`text` with LIKE's wildcards escaped, for a pattern used with `escape="\\"`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(text, *columns):
    """WHERE clause: every word of `text` is part of one of `columns` (folded columns such
    as a model's `search_text`, or lower-cased ASCII ones like an invoice number)."""
    words = search_words(text)
    if not words:
        return sa.true()
    return sa.and_(*(sa.or_(*(column.like(f"%{word}%", escape="\\") for column in columns))
                     for word in words))
