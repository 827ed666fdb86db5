"""Names as people type them: a folded search text and a German sort key, stored on the row at every save.

Dortmund's seniors and volunteers are called Öztürk, Yıldırım, Çelik, Şahin or Strauß, and staff type on German
keyboards without ş, ğ or ı. So names are compared folded: lower case ASCII by anyascii's transliteration
(ö→o, ı→i, ş→s, ß→ss, Cyrillic and Greek to Latin). anyascii (ISC licence) is maintained and covers every
script with tables we would otherwise write and keep up by hand; unlike unidecode it is not GPL, and unlike
PyICU it needs no system library. Umlauts are searchable in their second German spelling too (ü→ue), so
"mueller" finds Müller. The folded text is plain ASCII, so a LIKE and an ORDER BY give the same answers on
SQLite and PostgreSQL (the sort key uses the byte order "C" collation there).

A model mixes in ``Searchable`` and names its searched columns; a mapper event fills ``search_text`` and
``sort_name`` before every INSERT and UPDATE, whoever writes the row (forms, CSV import, demo data, erasure).
"""

import re

import sqlalchemy as sa
from anyascii import anyascii
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

SORT_LENGTH = 200
# Nobody types more into a name search; longer input is cut so a pasted text cannot build a huge query.
SEARCH_MAX_CHARS, SEARCH_MAX_WORDS = 200, 8
# The second German spelling of umlauts (DIN 5007-2); anyascii gives the first (ä→a, DIN 5007-1).
_UMLAUTS_WITH_E = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_PHONE_LIKE = re.compile(r"\+?[\d\s/().-]*\d[\d\s/().-]*")

# Byte order on both databases: SQLite compares bytes by default; PostgreSQL's default collation would ignore
# spaces and so sort "Muller Zed" after "Mullers Anna".
SortKey = sa.String(SORT_LENGTH).with_variant(postgresql.VARCHAR(SORT_LENGTH, collation="C"), "postgresql")


def fold(text: str | None) -> str:
    """Lower-case ASCII with single spaces: 'Öztürk' → 'ozturk', 'Yıldırım' → 'yildirim', 'Strauß' → 'strauss'."""
    return " ".join(anyascii(text or "").lower().split())


def spellings(text: str | None) -> list[str]:
    """The folded ways to write ``text``: as is, with umlauts as ae/oe/ue, and without spaces or punctuation."""
    folded = [fold(text), fold((text or "").translate(_UMLAUTS_WITH_E))]
    found = folded + [_NOT_ALNUM.sub("", item) for item in folded]
    return [item for item in dict.fromkeys(found) if item]


def phone_digits(text: str | None) -> str:
    """A phone number as its digits, with +49 / 0049 written as the national 0: '+49 231 12-34' → '02311234'."""
    text = (text or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+49"):
        return "0" + digits[2:]
    if text.startswith("0049"):
        return "0" + digits[4:]
    return digits


def same_name(first: str | None, other: str | None) -> bool:
    """Whether two names are the same as people write them (case, accents, ß/ss, ü/ue, spaces and hyphens)."""
    return bool(_compact(first) & _compact(other))


def _compact(text: str | None) -> set[str]:
    text = text or ""
    return {_NOT_ALNUM.sub("", fold(item)) for item in (text, text.translate(_UMLAUTS_WITH_E))} - {""}


def sort_key(*parts: str | None) -> str:
    """The German sort key of a name: 'Öztürk', 'Ayşe' → 'ozturk ayse' (Ö with O, ß as ss; spaces, hyphens out)."""
    return " ".join(_NOT_ALNUM.sub("", fold(part)) for part in parts)[:SORT_LENGTH]


def search_terms(query: str | None) -> list[list[str]]:
    """What a typed search must find: per word the spellings of which one must occur.

    A query that looks like a phone number ('0231 123', '0231/123-4') is one term of its digits. Only the first
    SEARCH_MAX_CHARS characters and SEARCH_MAX_WORDS words count.
    """
    query = (query or "")[:SEARCH_MAX_CHARS].strip()
    if not query:
        return []
    if _PHONE_LIKE.fullmatch(query):
        return [[phone_digits(query)]]
    return [terms for word in query.split()[:SEARCH_MAX_WORDS] if (terms := spellings(word))]


def search_condition(column, query: str | None):
    """SQL that is true for rows whose folded ``column`` matches every word of ``query`` (see ``search_terms``)."""
    words = [sa.or_(*(column.contains(term, autoescape=True) for term in terms)) for terms in search_terms(query)]
    return sa.and_(sa.true(), *words)


class Searchable:
    """Mixin: ``search_text`` and ``sort_name`` kept right on every save from the columns a model names.

    ``__search_names__`` are searched in all their spellings, ``__search_phones__`` by digits,
    ``__search_codes__`` (KVNR, e-mail, PLZ) folded as they are; ``__sort_by__`` makes the sort key.
    """

    __search_names__: tuple[str, ...] = ()
    __search_phones__: tuple[str, ...] = ()
    __search_codes__: tuple[str, ...] = ()
    __sort_by__: tuple[str, ...] = ()

    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sort_name: Mapped[str] = mapped_column(SortKey, default="", server_default="")

    def refresh_name_columns(self) -> None:
        """Recompute ``search_text`` and ``sort_name`` from the current values."""
        self.search_text, self.sort_name = name_columns(
            lambda column: getattr(self, column),
            names=self.__search_names__,
            phones=self.__search_phones__,
            codes=self.__search_codes__,
            sort_by=self.__sort_by__,
        )


def name_columns(value, *, names=(), phones=(), codes=(), sort_by=()) -> tuple[str, str]:
    """(search_text, sort_name) of a row; ``value(column)`` reads a column (also used by the migration)."""
    words: list[str] = []
    for column in names:
        words.extend(spellings(value(column)))
    words.extend(phone_digits(value(column)) for column in phones)
    words.extend(fold(value(column)) for column in codes)
    search_text = " ".join(word for word in dict.fromkeys(words) if word)
    return search_text, sort_key(*(value(column) for column in sort_by))


def name_indexes(table: str) -> tuple[sa.Index, sa.Index]:
    """The indexes of a Searchable table: its sort key, and its search text.

    On PostgreSQL the search index is a trigram (GIN) index, which serves LIKE '%…%'. SQLite has no such index
    and gets a plain one (the migrations compare equal on both); its tables are small enough to scan.
    """
    trigram = sa.Index(
        f"ix_{table}_search_text",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    return sa.Index(f"ix_{table}_sort_name", "sort_name"), trigram


def install_trigram_extension(metadata: sa.MetaData) -> None:
    """Create PostgreSQL's pg_trgm extension (a trusted one) before the tables, for the trigram indexes."""
    sa.event.listen(
        metadata,
        "before_create",
        sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
    )


@sa.event.listens_for(Searchable, "before_insert", propagate=True)
@sa.event.listens_for(Searchable, "before_update", propagate=True)
def _refresh_before_write(mapper, connection, target: Searchable) -> None:
    target.refresh_name_columns()
