"""Reference data: Québec's 17 administrative regions and some of their municipalities.

Region codes and names are those of the Institut de la statistique du Québec. Coordinates are
town-centre approximations (a few hundred metres), written for this project; the synthetic
dataset generator uses them, and they win over GeoNames in the gazetteer of every Québec place
(domain/places.py, domain/data/quebec_places.tsv), which is where places are looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Québec's civil time (America/Montreal is an alias of this zone). Instants are stored in UTC;
# months of statements, pages and the times people type are in this one.
CIVIL_TIME = ZoneInfo("America/Toronto")

REGIONS: dict[str, str] = {
    "01": "Bas-Saint-Laurent",
    "02": "Saguenay–Lac-Saint-Jean",
    "03": "Capitale-Nationale",
    "04": "Mauricie",
    "05": "Estrie",
    "06": "Montréal",
    "07": "Outaouais",
    "08": "Abitibi-Témiscamingue",
    "09": "Côte-Nord",
    "10": "Nord-du-Québec",
    "11": "Gaspésie–Îles-de-la-Madeleine",
    "12": "Chaudière-Appalaches",
    "13": "Laval",
    "14": "Lanaudière",
    "15": "Laurentides",
    "16": "Montérégie",
    "17": "Centre-du-Québec",
}


@dataclass(frozen=True)
class Municipality:
    name: str
    region: str
    lat: float
    lon: float


_TABLE = """
01|Rimouski|48.4490|-68.5230
01|Rivière-du-Loup|47.8300|-69.5340
01|Matane|48.8460|-67.5320
01|Amqui|48.4640|-67.4310
01|Trois-Pistoles|48.1200|-69.1800
01|Mont-Joli|48.5830|-68.1920
02|Saguenay|48.4280|-71.0680
02|Alma|48.5500|-71.6500
02|Roberval|48.5170|-72.2230
02|Dolbeau-Mistassini|48.8790|-72.2310
02|Saint-Félicien|48.6500|-72.4500
03|Québec|46.8139|-71.2080
03|Saint-Augustin-de-Desmaures|46.7400|-71.4600
03|Baie-Saint-Paul|47.4410|-70.4980
03|La Malbaie|47.6540|-70.1530
03|Donnacona|46.6800|-71.7300
03|L'Ancienne-Lorette|46.7950|-71.3560
04|Trois-Rivières|46.3430|-72.5430
04|Shawinigan|46.5670|-72.7500
04|La Tuque|47.4330|-72.7830
04|Louiseville|46.2560|-72.9410
05|Sherbrooke|45.4000|-71.8990
05|Magog|45.2670|-72.1500
05|Coaticook|45.1330|-71.8000
05|Lac-Mégantic|45.5830|-70.8830
05|Val-des-Sources|45.7750|-71.9450
06|Montréal|45.5017|-73.5673
06|Dorval|45.4500|-73.7500
06|Westmount|45.4830|-73.6000
06|Pointe-Claire|45.4500|-73.8170
06|Montréal-Est|45.6320|-73.5070
07|Gatineau|45.4765|-75.7013
07|Maniwaki|46.3830|-75.9670
07|Chelsea|45.5000|-75.7830
07|Val-des-Monts|45.6500|-75.6670
07|Papineauville|45.6170|-75.0170
07|Shawville|45.6000|-76.4830
08|Rouyn-Noranda|48.2390|-79.0190
08|Val-d'Or|48.0970|-77.7830
08|Amos|48.5670|-78.1170
08|La Sarre|48.8000|-79.2000
08|Ville-Marie|47.3330|-79.4330
09|Baie-Comeau|49.2170|-68.1500
09|Sept-Îles|50.2170|-66.3830
09|Forestville|48.7380|-69.0840
09|Havre-Saint-Pierre|50.2430|-63.6000
10|Chibougamau|49.9170|-74.3670
10|Chapais|49.7830|-74.8500
10|Matagami|49.7500|-77.6330
10|Lebel-sur-Quévillon|49.0500|-76.9830
11|Gaspé|48.8330|-64.4830
11|Les Îles-de-la-Madeleine|47.3830|-61.8670
11|Sainte-Anne-des-Monts|49.1240|-66.4920
11|Chandler|48.3500|-64.6830
11|Carleton-sur-Mer|48.1000|-66.1330
11|New Richmond|48.1670|-65.8670
12|Lévis|46.8030|-71.1780
12|Thetford Mines|46.1000|-71.3000
12|Saint-Georges|46.1170|-70.6670
12|Montmagny|46.9800|-70.5550
12|Sainte-Marie|46.4500|-71.0330
13|Laval|45.6066|-73.7124
14|Joliette|46.0170|-73.4330
14|Terrebonne|45.7000|-73.6330
14|Repentigny|45.7420|-73.4500
14|Mascouche|45.7500|-73.6000
14|Saint-Donat|46.3190|-74.2220
15|Saint-Jérôme|45.7800|-74.0030
15|Mont-Tremblant|46.1180|-74.5960
15|Sainte-Agathe-des-Monts|46.0500|-74.2830
15|Mirabel|45.6500|-74.0830
15|Blainville|45.6700|-73.8800
15|Saint-Sauveur|45.8960|-74.1700
16|Longueuil|45.5310|-73.5180
16|Saint-Jean-sur-Richelieu|45.3070|-73.2620
16|Granby|45.4000|-72.7330
16|Saint-Hyacinthe|45.6300|-72.9570
16|Brossard|45.4500|-73.4500
16|Salaberry-de-Valleyfield|45.2500|-74.1330
16|Sorel-Tracy|46.0330|-73.1170
17|Drummondville|45.8830|-72.4830
17|Victoriaville|46.0500|-71.9670
17|Bécancour|46.3400|-72.4320
17|Nicolet|46.2170|-72.6170
17|Plessisville|46.2170|-71.7670
"""

MUNICIPALITIES: tuple[Municipality, ...] = tuple(
    Municipality(name, region, float(lat), float(lon))
    for region, name, lat, lon in (line.split("|") for line in _TABLE.strip().splitlines())
)
