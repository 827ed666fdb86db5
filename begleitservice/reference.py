"""Reference data every installation has: Dortmund's 12 Stadtbezirke and the Aktionsräume among its Sozialräume."""

import sqlalchemy as sa

from matching.geo import DISTRICT_COORDINATES

from .extensions import db
from .models import District, Sozialraum
from .pages import ensure_generation

# name: (lat, lon) – the reference points of shared/DOMAIN.md, kept once in the matching package
DISTRICTS = DISTRICT_COORDINATES

# The 13 Aktionsräume (below-average Sozialräume) and the district each lies in.
AKTIONSRAEUME = {
    "Hafen": "Innenstadt-Nord",
    "Nordmarkt": "Innenstadt-Nord",
    "Borsigplatz": "Innenstadt-Nord",
    "Dorstfelder Brücke": "Innenstadt-West",
    "Wickede": "Brackel",
    "Lindenhorst/Eving II": "Eving",
    "Hörde": "Hörde",
    "Eving I/Kemminghausen": "Eving",
    "Marten": "Lütgendortmund",
    "Alt-Scharnhorst": "Scharnhorst",
    "Bodelschwingh/Westerfilde": "Mengede",
    "Scharnhorst-Ost": "Scharnhorst",
    "Nette": "Mengede",
}

SENIORENBUEROS = [f"Seniorenbüro {name}" for name in sorted(DISTRICTS)] + [
    "Seniorenbüro Innenstadt (Stadthaus)",
    "Seniorenbüro Hörde (Außenstelle)",
]


def ensure_reference_data() -> None:
    """Insert the districts and Aktionsräume that are missing, and the page cache's generation (safe to run again)."""
    ensure_generation()
    existing = {d.name: d for d in db.session.scalars(sa.select(District))}
    for name, (lat, lon) in DISTRICTS.items():
        if name not in existing:
            existing[name] = District(name=name, lat=lat, lon=lon)
            db.session.add(existing[name])
    db.session.flush()
    known = set(db.session.scalars(sa.select(Sozialraum.name)))
    for name, district in AKTIONSRAEUME.items():
        if name not in known:
            db.session.add(Sozialraum(name=name, district=existing[district], is_aktionsraum=True))
    db.session.flush()
