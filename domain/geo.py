"""Geographic points and distances."""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.errors import FieldErrors

EARTH_RADIUS_KM = 6371.0087714  # WGS84 mean radius: PostGIS's sphere, so both backends agree

# Québec's bounding box, a little generous: a merchant located outside it is a typo.
QUEBEC_LAT = (44.9, 62.7)
QUEBEC_LON = (-79.9, -57.0)


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        errors = FieldErrors()
        if not (isinstance(self.lat, int | float) and -90.0 <= self.lat <= 90.0):
            errors.add("lat", "latitude_out_of_range")
        if not (isinstance(self.lon, int | float) and -180.0 <= self.lon <= 180.0):
            errors.add("lon", "longitude_out_of_range")
        errors.raise_if_any()

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle distance (haversine)."""
        lat1, lon1, lat2, lon2 = map(math.radians, (self.lat, self.lon, other.lat, other.lon))
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))

    def is_in_quebec(self) -> bool:
        return (
            QUEBEC_LAT[0] <= self.lat <= QUEBEC_LAT[1]
            and QUEBEC_LON[0] <= self.lon <= QUEBEC_LON[1]
        )
