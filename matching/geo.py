"""Reference points of Dortmund's 12 Stadtbezirke and travel distances between them."""

from __future__ import annotations

import logging
import math

logger = logging.getLogger(__name__)

# (lat, lon) reference points, good enough for travel estimates between districts (DOMAIN.md).
DISTRICT_COORDINATES: dict[str, tuple[float, float]] = {
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

EARTH_RADIUS_KM = 6371.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class DistanceTable:
    """Distances between districts; unknown names get a large fallback distance instead of an error."""

    def __init__(self, *, extra: dict[str, tuple[float, float]] | None = None, unknown_km: float = 25.0):
        self.coordinates = {**DISTRICT_COORDINATES, **(extra or {})}
        self.unknown_km = unknown_km
        self._cache: dict[tuple[str | None, str], float | None] = {}

    def km(self, origin: str | None, target: str) -> float | None:
        """Kilometres from origin to target district, 0 for the same district, None if unknown."""
        key = (origin, target)
        if key in self._cache:
            return self._cache[key]
        if origin == target:
            value: float | None = 0.0
        elif origin in self.coordinates and target in self.coordinates:
            value = haversine_km(self.coordinates[origin], self.coordinates[target])
        else:
            value = None
        self._cache[key] = value
        return value

    def km_or_fallback(self, origin: str | None, target: str) -> float:
        """Like km() but unknown districts count as far away."""
        value = self.km(origin, target)
        return self.unknown_km if value is None else value
