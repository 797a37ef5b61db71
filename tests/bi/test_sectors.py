"""Sectors in the built-in reference data carry OECD CRS codes, so they group with AidData's (230 = energy)."""

from __future__ import annotations

import yaml

from importers.reference import CHINA_KAZAKHSTAN

CRS = {"transport": "210", "energy": "230", "education": "110", "health": "120"}


def test_every_reference_project_with_a_sector_has_its_crs_code():
    projects = yaml.safe_load(CHINA_KAZAKHSTAN.read_text(encoding="utf-8"))["projects"]
    with_sector = [p for p in projects if p.get("sector")]
    assert with_sector
    assert [(p["code"], p.get("sector_code")) for p in with_sector] == [
        (p["code"], CRS[p["sector"]]) for p in with_sector]
