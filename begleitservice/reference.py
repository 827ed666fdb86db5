"""Reference data every installation has: Dortmund's 12 Stadtbezirke and the Aktionsräume among its Sozialräume."""

import sqlalchemy as sa

from .extensions import db
from .models import District, Sozialraum

# name: (lat, lon) – reference points from shared/DOMAIN.md
DISTRICTS = {
    "Innenstadt-West": (51.514, 7.465),
    "Innenstadt-Nord": (51.529, 7.472),
    "Innenstadt-Ost": (51.512, 7.494),
    "Eving": (51.550, 7.467),
    "Scharnhorst": (51.550, 7.533),
    "Brackel": (51.517, 7.567),
    "Aplerbeck": (51.492, 7.567),
    "Hörde": (51.483, 7.500),
    "Hombruch": (51.476, 7.439),
    "Lütgendortmund": (51.500, 7.350),
    "Huckarde": (51.533, 7.400),
    "Mengede": (51.574, 7.384),
}

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
    """Insert the districts and Aktionsräume that are missing (safe to run again)."""
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
