"""The forms organizers wrap a place name in: designators, venues, separators, CJK runs.

Each rule here rewrites one piece of text into the plainer readings the gazetteer holds
("Nagoya city" -> "Nagoya", "Town of Amherst" -> "Amherst", "大阪府堺市" -> "堺市, 大阪府");
offline.py tries the text as written first, so a place whose name holds such a word
("Quezon City", "Mexico City") is still found by its own name.
"""

from __future__ import annotations

import re

from .text import fold

# Words before a name that say what sort of place it is ("City of Boulder", "Région Occitanie").
_PREFIX = re.compile(
    r"^(?:(?:the\s+)?(?:city|town|borough|village|township|county|municipality|district"
    r"|province|prefecture|state|region|republic|commune|parish)\s+of"
    r"|r[ée]gion|d[ée]partement|provincia|province|comunidad|regione|canton|kanton"
    r"|ville|citt[àa]|comune|municipio|municipalidad|ciudad|cidade|munic[íi]pio"
    r"|(?:freie\s+und\s+|freie\s+)?hansestadt|landeshauptstadt|stadt|gemeente|gemeinde"
    r"|kommune|kommun|gmina|miasto|grad|g\.|гор\.|город|г\.)"
    r"(?:\s+(?:de\s+la|de\s+las|de\s+los|de\s+l['’]|del|des|du|de|di|da|do|dos|das))?\s*",
    re.IGNORECASE,
)
# Words after a name that say the same ("Yokohama-shi", "Lalitpur Metropolitan City").
_SUFFIX = re.compile(
    r"(?:[\s-]+(?:(?:sub-?)?metropolitan\s+city|rural\s+municipality|municipality"
    r"|capital\s+city|city\s+county|city\s+council|council|metropolitan\s+borough"
    r"|city\s+centre|city\s+center|downtown|centre|center"
    r"|city|town|township|borough|village|county|prefecture|pref\.?|province|state"
    r"|municipal\s+corporation|corporation|special\s+city|metropolitan"
    r"|shi|ku|ken|fu|to|cho|machi|mura|gun|gu|si|do)|"
    r"(?<=\w)(?:특별시|광역시|특별자치시|특별자치도|시|구|군|도))$",
    re.IGNORECASE,
)
# Designators only some countries use, and so say which country a place is in
# ("Kochi-shi" is Kōchi, Japan, not Kochi, India; "Lalitpur Metropolitan City" is in Nepal).
_COUNTRY_SUFFIXES = (
    (re.compile(r"(?i)[\s-](?:shi|ku|ken|fu|to|cho|machi|mura|pref\.?)$"), frozenset({"JP"})),
    (re.compile(r"(?i)[\s-]gun$"), frozenset({"JP", "KR"})),
    (
        re.compile(
            r"(?i)[\s-](?:si|gu|do)$|\bspecial\s+city$|(?<=\w)(?:특별시|광역시|시|구|군|도)$"
        ),
        frozenset({"KR"}),
    ),
    (re.compile(r"(?i)\b(?:sub-?)?metropolitan\s+city$"), frozenset({"NP", "KR"})),
    (re.compile(r"(?i)\brural\s+municipality$"), frozenset({"NP", "CA"})),
    (re.compile(r"(?i)\bmunicipal\s+corporation$"), frozenset({"IN"})),
)
# Designators that say the place is a town, not the region of its name ("Yamaguchi City",
# "Kochi-shi", "Ville de Québec").
_CITY_DESIGNATOR = re.compile(
    r"(?i)[\s-](?:city|town|shi|si|machi|cho|mura)$|(?<=\S)[市시]$"
    r"|^(?:(?:the\s+)?(?:city|town)\s+of|ville\s+de|stadt|comune\s+di|citt[àa]\s+di"
    r"|ciudad\s+de|cidade\s+de|gemeente|landeshauptstadt|hansestadt)\s"
)
# Words that make a phrase a building or an institution rather than a town.
VENUE_WORDS = frozenset(
    fold(w)
    for w in [
        "university",
        "universität",
        "universitat",
        "université",
        "universite",
        "universidad",
        "universidade",
        "università",
        "universiteit",
        "uniwersytet",
        "univerzita",
        "yliopisto",
        "universitet",
        "college",
        "institute",
        "institut",
        "instituto",
        "istituto",
        "politecnico",
        "polytechnic",
        "polytechnique",
        "technische",
        "hochschule",
        "school",
        "école",
        "escuela",
        "academy",
        "akademie",
        "campus",
        "faculty",
        "library",
        "bibliothek",
        "bibliothèque",
        "biblioteca",
        "hall",
        "centre",
        "center",
        "centro",
        "zentrum",
        "square",
        "platz",
        "plaza",
        "piazza",
        "place",
        "park",
        "stadium",
        "arena",
        "museum",
        "gallery",
        "hospital",
        "station",
        "airport",
        "hotel",
        "hub",
        "office",
        "offices",
        "building",
        "tower",
        "house",
        "theatre",
        "theater",
        "church",
        "cathedral",
        "temple",
        "mosque",
        "market",
        "street",
        "road",
        "avenue",
        "rue",
        "calle",
        "strasse",
        "straße",
        "via",
        "national",
        "international",
        "convention",
        "conference",
        "lab",
        "labs",
        "makerspace",
        "hackerspace",
        "coworking",
        "headquarters",
        "hq",
        "tech",
    ]
)
# Words after a name that make it a street or a square, not the town of that name.
STREET_WORDS = frozenset(
    fold(w)
    for w in [
        "street",
        "st",
        "road",
        "rd",
        "avenue",
        "ave",
        "lane",
        "ln",
        "drive",
        "dr",
        "way",
        "place",
        "pl",
        "square",
        "sq",
        "terrace",
        "crescent",
        "close",
        "court",
        "boulevard",
        "blvd",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "row",
        "gardens",
        "hill",
        "park",
        "strasse",
        "straße",
        "str",
        "weg",
        "platz",
        "allee",
        "gasse",
        "laan",
        "straat",
        "gracht",
    ]
)
# Designators of areas around several towns: a county, district or département.
_AREA_WORDS = re.compile(
    r"(?i)\b(?:county|district|d[ée]partement|departamento|provincia|province of|kreis"
    r"|landkreis|bezirk|comarca|powiat|okres|parish)\b"
)
# Compass and centre words, in the languages organizers write, that name a part of a city
# ("Jakarta Selatan", "Paris Nord", "Barcelona Norte", "Nairobi CBD"): never a place alone.
COMPASS_WORDS = frozenset(
    fold(w)
    for w in [
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "central",
        "centre",
        "center",
        "cbd",
        "nord",
        "sud",
        "süd",
        "ost",
        "est",
        "ouest",
        "mitte",
        "zentrum",
        "norte",
        "sur",
        "este",
        "oeste",
        "leste",
        "centro",
        "noord",
        "zuid",
        "oost",
        "utara",
        "selatan",
        "timur",
        "barat",
        "pusat",
        "tengah",
        "nam",
        "bac",
        "kaskazini",
        "kusini",
    ]
)
# Lower-case words that may sit inside a place name ("Dar es Salaam", "Frankfurt am Main").
NAME_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "di",
        "da",
        "do",
        "dos",
        "das",
        "du",
        "des",
        "la",
        "le",
        "les",
        "el",
        "es",
        "am",
        "an",
        "der",
        "den",
        "upon",
        "on",
        "sur",
        "en",
        "y",
        "i",
        "al",
    ]
)
# Separators people put between a place and its region or country ("Lyon | France").
_SEPARATORS = re.compile(r"\s*[|·•;]\s*|\s+[-–—]\s+")
# A run of two or more places in one string ("Raleigh/Durham", "Minneapolis–St. Paul").
_PLACE_JOINS = re.compile(
    r"\s*(?:/|–|—|&|\+|\bund\b|\band\b|\bet\b|\by\b)\s*|(?<=[a-zà-ÿ])-(?=[A-ZÀ-Þ])"
)
# Postcodes: UK ("CB2 1TN", "EC1V"), Canadian ("V6B 1A1"), Dutch ("1012 AB"), numbers.
_POSTCODES = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"
    r"|\b[A-Z]{1,2}\d{1,2}[A-Z]?\b(?=\s*(?:,|$))"
    r"|\b\d{4}\s?[A-Z]{2}\b(?=\s*(?:,|$))"
    r"|\b\d[\d-]*\b"
)
# CJK and Korean addresses run prefecture, city and ward together: split after each marker.
_CJK_MARKERS = re.compile(r"(?<=[都道府県省市区區町村郡州])(?=\S)|(?<=특별시|광역시)(?=\S)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_SUFFIX = re.compile(r"(?<=\S)[都府県省市区區町村郡]$")


# Words before a place that say the party is near it, not in it ("near Arnstadt").
_NEAR = re.compile(
    r"(?i)^(?:(?:just\s+)?(?:near|nr\.?|outside(?:\s+of)?|close\s+to|next\s+to)"
    r"|(?:the\s+)?(?:outskirts|suburbs|environs)\s+of|around)\s+"
)
# Postcodes whose form alone tells the country: UK ("KY16 9RJ") and Canadian ("V6B 1A1").
_COUNTRY_POSTCODES = (
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b"), "GB"),
    (re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[A-Z]\s?\d[A-Z]\d\b"), "CA"),
)


# Words for a country's federal capital district, as people write them after a town or
# before the country ("México, D.F.", "CABA, Argentina"), with the countries that have no
# need of the country named beside them ("Palermo, CABA"; a bare "DF" is also Brazil's code).
FEDERAL_CAPITAL = {
    "df": frozenset(),
    "d f": frozenset(),
    "distrito federal": frozenset(),
    "federal district": frozenset(),
    "capital federal": frozenset({"AR"}),
    "caba": frozenset({"AR"}),
    "ciudad autonoma de buenos aires": frozenset({"AR"}),
}


def federal_capital_countries(part: str) -> frozenset[str] | None:
    """Return the countries a federal-capital part stands for by itself ({} if it needs the
    country named), or None if the part is no such words."""
    return FEDERAL_CAPITAL.get(fold(part))


# A numeric postcode as written beside a town ("29200 Brest", "00-950 Warszawa",
# "114 55 Stockholm", "1012 AB Amsterdam", "Seattle, WA 98101"): its form narrows the country.
_NUMERIC_POSTCODE = re.compile(
    r"(?<![\w-])(\d{2}-\d{3}|\d{3}\s\d{2}|\d{4}\s?[A-Z]{2}|\d{4,6})(?![\w-])"
)


def numeric_postcode(text: str) -> str | None:
    """Return the first numeric postcode in the text beside a word, if there is one."""
    if not any(c.isalpha() for c in text):
        return None
    found = _NUMERIC_POSTCODE.search(text)
    return found.group(1) if found else None


def postcode_country(text: str) -> str | None:
    """Return the country a postcode in the text belongs to, if its form says so."""
    found = {cc for pattern, cc in _COUNTRY_POSTCODES if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def plain_separators(text: str) -> str:
    """Turn "Lyon | Rhône | France" and "Porto - Portugal" into comma-separated parts."""
    return _SEPARATORS.sub(", ", text)


def without_nearness(text: str) -> str:
    """Drop "near" or "outside" before a place ("near Arnstadt, Germany"), or "" if none."""
    stripped = _NEAR.sub("", text.strip(), count=1)
    return stripped if stripped != text.strip() else ""


def without_postcodes(part: str) -> str:
    """Drop postcodes and house numbers: "Cambridge CB2 1TN" -> "Cambridge"."""
    return " ".join(_POSTCODES.sub(" ", part).split())


def without_designators(part: str) -> str:
    """Drop the words around a name that say what sort of place it is, or "" if none."""
    stripped = part.strip()
    for _ in range(2):  # "Freie Hansestadt Bremen", "Fukuoka-shi"
        stripped = _PREFIX.sub("", stripped, count=1).strip()
        stripped = _SUFFIX.sub("", stripped).strip(" ,-")
    return stripped if stripped and fold(stripped) != fold(part) else ""


def designator_countries(part: str) -> frozenset[str]:
    """Return the countries whose designator ends the text ("-shi": Japan), or none."""
    stripped = part.strip()
    found = (countries for pattern, countries in _COUNTRY_SUFFIXES if pattern.search(stripped))
    return next(found, frozenset())


def without_compass(part: str) -> str:
    """Drop compass words before or after a name ("Jakarta Selatan" -> "Jakarta"), or ""."""
    words = part.split()
    while words and fold(words[-1]) in COMPASS_WORDS:
        words.pop()
    while words and fold(words[0]) in COMPASS_WORDS:
        words.pop(0)
    kept = " ".join(words).strip(" ,-")
    return kept if kept and len(words) < len(part.split()) else ""


def is_compass(part: str) -> bool:
    """Say whether a piece of text is only compass words ("Selatan", "Nord", "South East")."""
    words = fold(part).split()
    return bool(words) and all(word in COMPASS_WORDS for word in words)


def is_street(following: list[str]) -> bool:
    """Say whether the word after a name makes it a street ("Oxford Road", "Torrington Place")."""
    return bool(following) and fold(following[0]) in STREET_WORDS


def names_a_town(part: str) -> bool:
    """Say whether a designator makes the text a town rather than a region ("Yamaguchi City")."""
    return bool(_CITY_DESIGNATOR.search(part.strip()))


def names_a_neighbourhood(part: str) -> bool:
    """Say whether a designator may make the text a part of a city ("Greenwich Village")."""
    return bool(re.search(r"(?i)\bvillage$", part.strip()))


def names_an_area(part: str) -> bool:
    """Say whether a designator makes the text an area around towns ("Dane County")."""
    return bool(_AREA_WORDS.search(part))


def is_venue(part: str) -> bool:
    """Say whether a piece of text names a building or institution ("Kyoto University")."""
    return any(word in VENUE_WORDS for word in fold(part).split())


def without_venue(part: str) -> str:
    """Remove venue words, keeping the runs of name around them ("University of X" -> "X")."""
    words = part.split()
    kept = [w for w in words if fold(w) not in VENUE_WORDS]
    return " ".join(kept)


def places_joined(part: str) -> list[str]:
    """Split "Raleigh/Durham" or "Dallas-Fort Worth" into its places, or [] if it is one."""
    pieces = [p.strip(" .") for p in _PLACE_JOINS.split(part) if p and p.strip(" .")]
    return pieces if len(pieces) > 1 else []


def is_cjk(text: str) -> bool:
    """Say whether the text is written in Chinese, Japanese or Korean characters."""
    return bool(_CJK.search(text))


def cjk_parts(text: str) -> str:
    """Rewrite "兵庫県神戸市中央区" as "中央区, 神戸市, 兵庫県": most precise part first."""
    if "," in text:  # "부산, 한국": written small to large already; reverse inside each part
        return ", ".join(cjk_parts(part.strip()) for part in text.split(",") if part.strip())
    pieces: list[str] = []
    for chunk in text.split():
        for piece in _CJK_MARKERS.split(chunk):
            if len(piece) == 1 and pieces:
                pieces[-1] += piece  # a marker inside a name: 京都 + 市, not 京 + 都市
            elif piece:
                pieces.append(piece)
    return ", ".join(reversed(pieces)) if len(pieces) > 1 else text


def without_cjk_suffix(part: str) -> str:
    """Drop a trailing 市, 県 or 区 from a CJK name ("神戸市" -> "神戸"), or "" if none."""
    stripped = _CJK_SUFFIX.sub("", part)
    return stripped if stripped != part else ""


def is_ward(part: str) -> bool:
    """Say whether a CJK part is a ward or district, a name many cities share (中央区)."""
    return part.endswith(("区", "區", "구", "郡", "군"))
