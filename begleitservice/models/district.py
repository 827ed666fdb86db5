"""The city's Stadtbezirke and Sozialräume, and the residents 65+ per Sozialraum the city publishes."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import UTCDateTime


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


class SozialraumPopulation(db.Model):
    """Residents aged 65 and over in a Sozialraum in a year, as imported from the city's statistics."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sozialraum_id: Mapped[int] = mapped_column(sa.ForeignKey("sozialraum.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    residents_65plus: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    sozialraum: Mapped[Sozialraum] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("sozialraum_id", "year", name="uq_sozialraum_population_year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        sa.CheckConstraint("residents_65plus BETWEEN 0 AND 1000000", name="residents"),
    )
