"""Words that name a drawing's kind and its storey, per language: extend a table to add one.

Phrases are matched on upper-cased text with accents kept and removed, whole words only; the
longest phrase found decides (so "PELAN BUMBUNG" beats "PELAN", "FLOOR FINISHES" beats "FLOOR").
"""

from __future__ import annotations

# kind -> phrases. Order inside a list does not matter; length does (longest match wins).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "floor_plan": (
        # English
        "FLOOR PLAN", "GROUND FLOOR", "FIRST FLOOR", "UPPER FLOOR", "LEVEL PLAN", "PLAN",
        "LAYOUT PLAN", "BASEMENT PLAN", "MEZZANINE PLAN",
        # Malay
        "PELAN LANTAI", "PELAN ARAS", "PELAN TINGKAT", "PELAN",
        # French, German, Spanish, Finnish
        "PLAN DU REZ-DE-CHAUSSEE", "PLAN D'ETAGE", "PLAN DE NIVEAU", "REZ-DE-CHAUSSEE", "ETAGE",
        "GRUNDRISS", "ERDGESCHOSS", "OBERGESCHOSS", "UNTERGESCHOSS",
        "PLANTA", "PLANTA BAJA", "PLANTA ALTA", "PLANTA PRIMERA",
        "POHJAPIIRUSTUS", "KERROS", "POHJA",
    ),
    "roof_plan": (
        "ROOF PLAN", "ROOF", "PELAN BUMBUNG", "BUMBUNG", "PLAN DE TOITURE", "TOITURE",
        "DACHAUFSICHT", "DACHDRAUFSICHT", "DACHGRUNDRISS", "PLANTA DE CUBIERTA", "CUBIERTA",
        "KATTOPIIRUSTUS", "VESIKATTO",
    ),
    "ceiling_plan": (
        "REFLECTED CEILING PLAN", "CEILING PLAN", "CEILING", "PELAN SILING", "SILING",
        "PELAN PEMBALIKAN", "PLAN DE PLAFOND", "FAUX-PLAFOND", "PLAFOND", "DECKENSPIEGEL",
        "PLANTA DE TECHOS", "FALSO TECHO", "ALAKATTO",
    ),
    "services_plan": (
        "ELECTRICAL PLAN", "ELECTRICAL", "LIGHTING PLAN", "LIGHTING", "PLUMBING", "DRAINAGE",
        "SANITARY", "MECHANICAL", "HVAC", "PELAN ELEKTRIK", "ELEKTRIK", "PERPAIPAN", "SALIRAN",
        "PLAN ELECTRIQUE", "ELECTRICITE", "PLOMBERIE", "ELEKTROPLAN", "INSTALLATION",
        "INSTALACIONES", "FONTANERIA", "SAHKO", "LVI",
    ),
    "site_plan": (
        "SITE PLAN", "LOCATION PLAN", "KEY PLAN", "PELAN TAPAK", "PELAN LOKASI", "PELAN KUNCI",
        "PLAN DE MASSE", "PLAN DE SITUATION", "LAGEPLAN", "PLANO DE SITUACION", "EMPLAZAMIENTO",
        "ASEMAPIIRUSTUS", "ASEMAKAAVA",
    ),
    "section": (
        "SECTION", "CROSS SECTION", "KERATAN", "KERATAN RENTAS", "COUPE", "SCHNITT", "SECCION",
        "LEIKKAUS",
    ),
    "elevation": (
        "ELEVATION", "PANDANGAN", "TAMPAK", "PANDANGAN SISI", "FACADE", "ANSICHT", "ALZADO",
        "JULKISIVU",
    ),
    "schedule": (
        "SCHEDULE", "DOOR SCHEDULE", "WINDOW SCHEDULE", "JADUAL", "JADUAL PINTU", "TABLEAU",
        "NOMENCLATURE", "TURLISTE", "FENSTERLISTE", "TABELLE", "CUADRO", "TAULUKKO", "LUETTELO",
    ),
    "details": (
        "DETAIL", "DETAILS", "ENLARGED", "BUTIRAN", "DETAILS TYPE", "DETALLE", "DETALJI",
        "DETAILPIIRUSTUS",
    ),
    # Plans that show a floor but are not the building's storey: finishes and furniture layouts.
    "other": (
        "FLOOR FINISHES", "FINISHES LAYOUT", "FINISHES PLAN", "FURNITURE LAYOUT",
        "SUSUNATUR KEMASAN LANTAI", "KEMASAN LANTAI", "3D VIEW", "PERSPECTIVE", "PERSPEKTIF",
        "AXONOMETRIC", "ISOMETRIC", "RENDER",
    ),
}

# Storey names -> sort order (0 ground, 1 first ..., -1 basement). "ELEVATED" is the raised floor
# of a building on stilts, above its ground level.
LEVEL_WORDS: dict[str, float] = {
    "BASEMENT": -1, "BAWAH TANAH": -1, "SOUS-SOL": -1, "KELLERGESCHOSS": -1, "UNTERGESCHOSS": -1,
    "SOTANO": -1, "KELLARI": -1,
    "GROUND": 0, "TANAH": 0, "BAWAH": 0, "STUMP": 0, "REZ-DE-CHAUSSEE": 0, "ERDGESCHOSS": 0,
    "PLANTA BAJA": 0,
    "ELEVATED": 1, "FIRST": 1, "SATU": 1, "PERTAMA": 1, "PREMIER": 1, "1ER": 1,
    "OBERGESCHOSS": 1, "PRIMERA": 1, "MEZZANINE": 0.5,
    "SECOND": 2, "DUA": 2, "KEDUA": 2, "DEUXIEME": 2, "SEGUNDA": 2,
    "THIRD": 3, "TIGA": 3, "KETIGA": 3, "TROISIEME": 3, "TERCERA": 3,
    "FOURTH": 4, "EMPAT": 4, "KEEMPAT": 4,
}

# Words before a storey number: "LEVEL 2", "ARAS 2", "TINGKAT 1", "2. OG", "2. KERROS".
LEVEL_NUMBER_WORDS: tuple[str, ...] = (
    "LEVEL", "ARAS", "TINGKAT", "LANTAI", "FLOOR", "ETAGE", "NIVEAU", "OG", "PLANTA", "KERROS",
)

# Words that make a text a drawing's caption rather than a note, even without a kind word.
TITLE_HINTS: tuple[str, ...] = ("SCALE", "SKALA", "ECHELLE", "MASSSTAB", "ESCALA", "MITTAKAAVA")

# Words of the notes and labels printed inside rooms that are not the room's name: floor finishes
# and falls, notes about what is above or below, and labels of fittings and furniture. A text
# holding one is no room name ("SCREED TO FALL" in the surau's hall was taken for part of its
# name). Whole words, matched like the kind words.
NOT_ROOM_WORDS: tuple[str, ...] = (
    # finishes, falls, construction notes
    "SCREED", "TO FALL", "FALL", "FINISH", "FINISHES", "FINISHED", "TILES", "TILE", "SKIRTING",
    "PLASTER", "RENDER", "CONCRETE", "SLAB", "THK", "REFER", "DETAIL", "SPECIFICATION",
    "ABOVE", "BELOW", "OVER", "EAVES", "LINE", "DOWN PIPE", "RWDP", "SCUPPER", "DRAIN",
    "KEMASAN", "JUBIN", "LEPA", "ATAS", "CERUN",
    # fittings and furniture
    "SHELF", "BENCH", "RACK", "PLANTER", "CABINET", "KABINET", "WHITE BOARD", "INFO BOARD", "SINK",
    "BASIN", "CURTAIN", "RAILING", "HANDRAIL", "STEPS", "RISER", "THREAD", "TREAD",
)

# Words of a level label beside an elevation or section ("ARAS TANAH", "FFL", "GROUND LEVEL",
# "RIDGE"): a column of them up the side of a drawing shows heights, which no plan does. Matched
# like the kind words; level marks with a height ("FL +1.200") count too.
LEVEL_LABEL_WORDS: tuple[str, ...] = (
    "LEVEL", "GROUND LINE", "FFL", "F.F.L", "SSL", "RIDGE", "EAVES", "FLOOR LINE",
    "ARAS", "PARAS", "NIVEAU", "NIV", "OKFF", "OK FFB", "NIVEL", "KORKO", "TASO",
)
