"""The write generation: one number that every committed write transaction raises (see begleitservice.pages)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CacheGeneration(db.Model):
    """One row: ``value`` rises with every committed transaction that wrote to a table pages are built from."""

    __tablename__ = "cache_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)
