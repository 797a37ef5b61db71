"""ISO 4217 codes that a currency column takes besides the current ones (pycountry lists those).

Amounts in data sets keep the currency of their year: AidData records loans in Ghanaian cedi of
before 2007 (GHC), Romanian lei of before 2005 (ROL), Zambian kwacha of before 2013 (ZMK) and
Zimbabwe dollars (ZWD). So the codes ISO 4217 withdrew since 1980 (its list three) are accepted too;
the year of the amount says which currency it was. Codes that are no money are refused.
"""

from __future__ import annotations

# Withdrawn ISO 4217 codes (code: what it was, the year it was withdrawn)
WITHDRAWN = frozenset({
    "ADP",  # Andorran peseta, 2003
    "AFA",  # Afghani, 2003
    "ALK",  # Albanian lek (old), 1989
    "ANG",  # Netherlands Antillean guilder, 2025
    "AOK", "AON", "AOR",  # Angolan kwanza, new kwanza, readjusted kwanza, 1991-2000
    "ARA", "ARP",  # Argentine austral, peso argentino, 1985-1992
    "ATS",  # Austrian schilling, 2002
    "AZM",  # Azerbaijani manat (old), 2006
    "BEF",  # Belgian franc, 2002
    "BGL",  # Bulgarian lev (old), 1999
    "BGN",  # Bulgarian lev, 2026 (Bulgaria took the euro)
    "BOP",  # Bolivian peso, 1987
    "BRB", "BRC", "BRE", "BRN", "BRR",  # Brazilian cruzeiro and cruzado, 1986-1994
    "BYB", "BYR",  # Belarusian ruble, 2000 and 2017
    "CSD",  # Serbian dinar (Serbia and Montenegro), 2006
    "CSK",  # Czechoslovak koruna, 1993
    "CUC",  # Cuban convertible peso, 2021
    "CYP",  # Cyprus pound, 2008
    "DDM",  # East German mark, 1990
    "DEM",  # Deutsche Mark, 2002
    "ECS",  # Ecuadorian sucre, 2000
    "EEK",  # Estonian kroon, 2011
    "ESP",  # Spanish peseta, 2002
    "FIM",  # Finnish markka, 2002
    "FRF",  # French franc, 2002
    "GEK",  # Georgian kuponi, 1995
    "GHC",  # Ghanaian cedi (old), 2007
    "GRD",  # Greek drachma, 2002
    "GWP",  # Guinea-Bissau peso, 1997
    "HRD", "HRK",  # Croatian dinar 1994, kuna 2023
    "IEP",  # Irish pound, 2002
    "ITL",  # Italian lira, 2002
    "LTL",  # Lithuanian litas, 2015
    "LUF",  # Luxembourg franc, 2002
    "LVL",  # Latvian lats, 2014
    "MGF",  # Malagasy franc, 2004
    "MRO",  # Mauritanian ouguiya (old), 2018
    "MTL",  # Maltese lira, 2008
    "MXP",  # Mexican peso (old), 1993
    "MZM",  # Mozambican metical (old), 2006
    "NIC",  # Nicaraguan córdoba (old), 1990
    "NLG",  # Dutch guilder, 2002
    "PEI",  # Peruvian inti, 1991
    "PLZ",  # Polish złoty (old), 1997
    "PTE",  # Portuguese escudo, 2002
    "ROL",  # Romanian leu (old), 2005
    "RUR",  # Russian ruble (old), 1998
    "SDD",  # Sudanese dinar, 2007
    "SIT",  # Slovenian tolar, 2007
    "SKK",  # Slovak koruna, 2009
    "SLL",  # Sierra Leonean leone (old), 2024
    "SRG",  # Surinamese guilder, 2004
    "STD",  # São Tomé and Príncipe dobra (old), 2018
    "SUR",  # Soviet ruble, 1991
    "TJR",  # Tajikistani ruble, 2001
    "TMM",  # Turkmenistani manat (old), 2009
    "TPE",  # Portuguese Timorese escudo, 2002
    "TRL",  # Turkish lira (old), 2005
    "UAK",  # Ukrainian karbovanets, 1996
    "UYP",  # Uruguayan peso (old), 1993
    "VEB", "VEF",  # Venezuelan bolívar, 2008 and 2018
    "XEU",  # European Currency Unit, 1999
    "YDD",  # South Yemeni dinar, 1996
    "YUD", "YUM", "YUN",  # Yugoslav dinars, 1990-2003
    "ZAL",  # South African financial rand, 1995
    "ZMK",  # Zambian kwacha (old), 2013
    "ZRN", "ZRZ",  # Zairean new zaire and zaire, 1993-1999
    "ZWD", "ZWL", "ZWN", "ZWR",  # Zimbabwe dollars, 2006-2024
})

# Current ISO 4217 codes that are no currency an amount is in: testing, and "no currency"
NOT_AMOUNTS = frozenset({"XTS", "XXX"})
