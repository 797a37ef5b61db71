"""Distinct country names of the real data sets in ../shared/data, with the data set they come from."""

from __future__ import annotations

import csv
from pathlib import Path

# (file under SHARED_DATA, dataset key for the resolver, how to read names)
AIDDATA_V1 = "aiddata-gcdf-v1/GlobalChineseOfficialFinanceDataset_v1.0.csv"
AIDDATA_V2 = "aiddata-gcdf-v2/AidDatasGlobalChineseMilitaryFinanceDataset.csv"
COW_IGO = "cow-igo-v3/igo_year_formatv3.csv"
COW_STATES = "cow-igo-v3/cow_states2016.csv"
IIGO = "iigo-informal/IIGO_informal_igo_memberships.csv"

# Columns of the COW IGO file that are not states.
COW_IGO_NON_STATE = {"ioname", "orgname", "year", "sdate", "deaddate", "dead", "integrated", "replaced",
                     "longorgname", "ionum", "igocode", "version", "accuracyofpre1965membershipdates",
                     "sourcesandnotes", "imputed", "political", "social", "economic"}


def _rows(path: Path):
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def single_names(root: Path) -> list[tuple[str, str, str]]:
    """(source, dataset, name) for every distinct single-country cell."""
    out: set[tuple[str, str, str]] = set()
    for row in _rows(root / AIDDATA_V1):
        out.add(("aiddata-v1 recipient_condensed", "aiddata", row["recipient_condensed"].strip()))
    for row in _rows(root / AIDDATA_V2):
        out.add(("aiddata-v2 Recipient", "aiddata", row["Recipient"].strip()))
        out.add(("aiddata-v2 Financier Country", "aiddata", row["Financier Country"].strip()))
    with open(root / COW_IGO, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    for column in header:
        if column not in COW_IGO_NON_STATE:
            out.add(("cow-igo column", "cow", column))
    for row in _rows(root / COW_STATES):
        out.add(("cow statenme", "cow", row["statenme"].strip()))
    for row in _rows(root / IIGO):
        out.add(("iigo StateName", "iigo", row["StateName"].strip()))
    return sorted(n for n in out if n[2])


def multi_cells(root: Path) -> list[str]:
    """Distinct AidData v1 all_recipients cells (comma-separated lists whose names hold commas)."""
    return sorted({row["all_recipients"].strip() for row in _rows(root / AIDDATA_V1) if row["all_recipients"].strip()})


def cow_states(root: Path) -> list[dict[str, str]]:
    return list(_rows(root / COW_STATES))
