"""Every distinct country name of the real data sets in ../shared/data through the resolver.

The expected code of each name is kept in fixtures/real_names_expected.csv (reviewed by hand; '-'
marks a region that is not one country). Independent checks: AidData's own recipient_iso3 column,
the COW state list's ccode/abbreviation/IGO column, IIGO's stateID.
"""

from __future__ import annotations

import csv

import pytest

from importers.countries import cow_states
from tests.conftest import SHARED_DATA
from tests.countries import realdata

HERE_FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"real data sets not found at {SHARED_DATA}"),
]


def _expected() -> dict[tuple[str, str], str]:
    with open(HERE_FIXTURES / "real_names_expected.csv", encoding="utf-8", newline="") as fh:
        return {(r["dataset"], r["name"]): r["expected"] for r in csv.DictReader(fh)}


def test_every_real_name_resolves_as_expected(resolver):
    expected = _expected()
    wrong, unresolved, missing = [], [], []
    for source, dataset, name in realdata.single_names(SHARED_DATA):
        result = resolver.resolve(name, dataset=dataset)
        want = expected.get((dataset, name))
        if want is None:
            missing.append((source, name))
        got = result.code if result.ok else "-"
        if result.ok and got != want:
            wrong.append((source, name, got, want))
        if not result.ok:
            unresolved.append((source, name, result.status, result.how))
    print(f"\nunresolved names: {len(unresolved)}: {sorted({u[1] for u in unresolved})}")
    assert wrong == []
    assert missing == []
    # Only the regional rows of AidData stay unresolved, and they are recognised as not countries.
    assert all(how == "not_a_country" and ", regional" in name for _s, name, _st, how in unresolved)


def test_aiddata_multi_country_cells_match_its_iso3_column(resolver):
    path = SHARED_DATA / realdata.AIDDATA_V1
    checked = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            found = resolver.resolve_list(row["all_recipients"], dataset="aiddata")
            codes = {r.code for r in found if r.ok}
            assert all(r.ok or r.how == "not_a_country" for r in found), (line, row["all_recipients"])
            iso = {c.strip() for c in row["recipient_iso3"].split(";") if len(c.strip()) == 3}
            assert codes == iso, (line, row["all_recipients"], row["recipient_iso3"])
            checked += 1
    assert checked == 5466


def test_cow_codes_agree_with_the_cow_state_list(resolver):
    ours = {s["ccode"]: s for s in cow_states()}
    theirs = {r["ccode"]: r for r in realdata.cow_states(SHARED_DATA)}
    assert set(ours) == set(theirs)
    for ccode, row in theirs.items():
        assert (ours[ccode]["abbrev"], ours[ccode]["igo_column"]) == (row["stateabb"], row["state"]), ccode
        by_ccode = resolver.resolve_code("cow_ccode", ccode)
        assert by_ccode.code == resolver.resolve_code("cow_abbrev", row["stateabb"]).code
        assert by_ccode.code == resolver.resolve(row["statenme"], dataset="cow").code, row["statenme"]
        assert by_ccode.code == resolver.resolve(row["state"], dataset="cow").code, row["state"]


def test_iigo_names_agree_with_their_state_ids(resolver):
    path = SHARED_DATA / realdata.IIGO
    private = {"ALG": "DZA", "AUH": "XAUH", "KOS": "XKX", "GIN - GNQ": "GNQ", "": "COD"}
    with open(path, encoding="utf-8", newline="") as fh:
        pairs = {(r["stateID"], r["StateName"]) for r in csv.DictReader(fh)}
    for state_id, name in pairs:
        assert resolver.resolve(name, dataset="iigo").code == private.get(state_id, state_id), (state_id, name)
