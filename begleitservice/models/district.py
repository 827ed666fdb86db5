"""The city's Stadtbezirke and Sozialräume."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class District(db.Model):
    """A Stadtbezirk with its reference point for travel estimates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    lat: Mapped[float]
    lon: Mapped[float]

    sozialraeume: Mapped[list["Sozialraum"]] = relationship(back_populates="district", order_by="Sozialraum.name")

    __table_args__ = (sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),)

    def __str__(self) -> str:
        return self.name


class Sozialraum(db.Model):
    """A Sozialraum of the city's social reporting, below a district; Aktionsräume are flagged."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id"))
    is_aktionsraum: Mapped[bool] = mapped_column(default=False)

    district: Mapped[District] = relationship(back_populates="sozialraeume")

    def __str__(self) -> str:
        return self.name
