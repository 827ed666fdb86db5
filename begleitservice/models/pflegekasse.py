"""Pflegekassen (long-term care insurers) that receive invoices."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from billing.identifiers import ik_error

from ..extensions import db
from .base import Timestamps
from .checks import ik_check_sql
from .names import Searchable, name_indexes


class Pflegekasse(Searchable, Timestamps, db.Model):
    """A Pflegekasse with its Institutionskennzeichen (IK)."""

    __search_names__ = ("name",)
    __search_codes__ = ("ik",)
    __sort_by__ = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    ik: Mapped[str] = mapped_column(sa.String(9), unique=True)
    street: Mapped[str | None] = mapped_column(sa.String(120))
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    email: Mapped[str | None] = mapped_column(sa.String(254))

    seniors: Mapped[list["Senior"]] = relationship(back_populates="pflegekasse")  # noqa: F821

    __table_args__ = (sa.CheckConstraint(ik_check_sql("ik"), name="ik_check_digit"), *name_indexes("pflegekasse"))

    @validates("ik")
    def _validate_ik(self, key, value):
        if error := ik_error(value):
            raise ValueError(error)
        return value

    def __str__(self) -> str:
        return f"{self.name} (IK {self.ik})"
