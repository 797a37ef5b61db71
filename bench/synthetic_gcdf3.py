"""A synthetic workbook in the AidData GCDF 3.0 layout, the size of the real release, for bench/datasets.py.

    .venv/bin/python bench/synthetic_gcdf3.py OUT.xlsx [--rows 20985] [--streamed]

The v3.0 workbook itself is not in ../shared/data (only its data dictionary is): this writes one of the same
shape so that the benchmark measures an import of that size next to the raw read of the same file. Its 126
columns are the dictionary's field names in its order (read from ../shared/data/aiddata-gcdf-v3 when it is
there, else the columns the importer reads plus numbered fillers up to 126); each row holds generated values
of the sizes the release has: a description of about 1,200 characters and staff comments of about 400,
about seven sources per record (pipe-separated URLs, titles, publishers and types, a fifth of them cited by
other records too), one to three funding and implementing agencies, text dates MM/DD/YYYY, Yes/No flags,
amounts with cents. The values are made up; nothing of the release is copied.

Saved by openpyxl, so its text is inline (a spreadsheet program puts it in the shared-strings table); the
sheet's dimension is given, as a spreadsheet program gives it, or with --streamed left out, as scripts that
stream a workbook (openpyxl's write-only mode) leave it out.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = ROOT.parent / "shared" / "data" / "aiddata-gcdf-v3" / "gcdf3_data_dictionary.csv"
RECORDS = 20985

RECIPIENTS = [("Kazakhstan", "KAZ"), ("Pakistan", "PAK"), ("Indonesia", "IDN"), ("Kenya", "KEN"),
              ("Ethiopia", "ETH"), ("Angola", "AGO"), ("Brazil", "BRA"), ("Ecuador", "ECU"), ("Laos", "LAO"),
              ("Cambodia", "KHM"), ("Sri Lanka", "LKA"), ("Zambia", "ZMB"), ("Nigeria", "NGA"),
              ("Uzbekistan", "UZB"), ("Kyrgyz Republic", "KGZ"), ("Mongolia", "MNG"), ("Myanmar", "MMR"),
              ("Egypt", "EGY"), ("Serbia", "SRB"), ("Venezuela", "VEN")]
STATUSES = ["Completion", "Implementation", "Pipeline: Commitment", "Pipeline: Pledge", "Suspended", "Cancelled"]
FUNDERS = ["China Development Bank (CDB)", "Export-Import Bank of China (China Eximbank)",
           "Chinese Government", "China Ministry of Commerce (MOFCOM)", "Bank of China (BOC)",
           "Industrial and Commercial Bank of China (ICBC)"]
IMPLEMENTERS = [f"Example Engineering Group {i} Co., Ltd." for i in range(400)]
SECTORS = [("210", "TRANSPORT AND STORAGE"), ("230", "ENERGY"), ("140", "WATER SUPPLY AND SANITATION"),
           ("110", "EDUCATION"), ("120", "HEALTH"), ("310", "AGRICULTURE, FORESTRY, FISHING")]
SOURCE_TYPES = ["Media Report", "Government Source (Donor/Recipient)", "Other Official Source (non-Donor, "
                "non-Recipient)", "Other Academic (Working Paper, Dissertation)", "Media Report"]
WORDS = ["the", "project", "loan", "agreement", "construction", "phase", "financing", "government", "ministry",
         "completed", "road", "bridge", "power", "plant", "railway", "works", "contract", "signed", "commercial",
         "terms", "approved", "disbursed", "local", "company", "according", "report", "official", "said",
         "expected", "capacity", "million", "dollars"]

# The columns the importer reads (importers/sources/aiddata.yml, layout 3.0), as the dictionary names them
READ = ["AidData Record ID", "Recommended For Aggregates", "AidData Parent ID", "Umbrella", "Recipient",
        "Recipient ISO-3", "Commitment Year", "Implementation Start Year", "Completion Year", "Title",
        "Description", "Staff Comments", "Status", "Intent", "Flow Type", "Flow Class", "Sector Code",
        "Sector Name", "Funding Agencies", "Cofinancing Agencies", "Direct Receiving Agencies",
        "Indirect Receiving Agencies", "Implementing Agencies", "Guarantor", "Insurance Provider",
        "Amount (Original Currency)", "Original Currency", "Amount Estimated", "Amount (Constant USD 2021)",
        "Amount (Nominal USD)", "Commitment Date (MM/DD/YYYY)", "Commitment Date Estimated",
        "Actual Implementation Start Date (MM/DD/YYYY)", "Actual Implementation Start Date Estimated",
        "Actual Completion Date (MM/DD/YYYY)", "Actual Completion Date Estimated", "Source URLs",
        "Source Titles", "Source Publishers", "Source Type", "Location Narrative"]


def columns() -> list[str]:
    if DICTIONARY.is_file():
        with open(DICTIONARY, newline="", encoding="utf-8") as fh:
            return [row["field_name"] for row in csv.DictReader(fh)]
    return READ + [f"Other Field {i}" for i in range(126 - len(READ))]


def _text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out).capitalize() + "."


def _date(rng: random.Random, year: int) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{year}"


def row_values(rng: random.Random, i: int, shared_sources: list[tuple[str, str, str, str]]) -> dict[str, object]:
    recipient, iso3 = RECIPIENTS[i % len(RECIPIENTS)]
    year = 2000 + i % 22
    sector_code, sector = SECTORS[i % len(SECTORS)]
    sources = []
    for k in range(rng.randint(3, 11)):
        if shared_sources and rng.random() < 0.2:
            sources.append(rng.choice(shared_sources))
        else:
            source = (f"https://news.example.org/{year}/{i}/{k}-{rng.randint(0, 10**6)}",
                      _text(rng, 60), f"Example Publisher {rng.randint(0, 3000)}", rng.choice(SOURCE_TYPES))
            sources.append(source)
            if rng.random() < 0.05:
                shared_sources.append(source)
    amount = rng.randint(10**4, 10**10)
    values: dict[str, object] = {
        "AidData Record ID": i + 1, "Recommended For Aggregates": rng.choice(["Yes", "No"]),
        "AidData Parent ID": str(i - i % 4 + 1) if i % 4 else None, "Umbrella": rng.choice(["Yes", "No", "No"]),
        "Financier Country": "China (People's Republic of)", "Recipient": recipient, "Recipient ISO-3": iso3,
        "Recipient Region": "Asia", "Commitment Year": year, "Implementation Start Year": year + 1,
        "Completion Year": year + 3 if i % 3 else None, "Title": f"{_text(rng, 50)} ({i})",
        "Description": _text(rng, 1200), "Staff Comments": _text(rng, 400),
        "Status": STATUSES[i % len(STATUSES)], "Intent": rng.choice(["Development", "Commercial", "Mixed"]),
        "Flow Type": rng.choice(["Loan", "Grant", "Export buyer's credit"]), "Flow Class": "OOF-like",
        "Sector Code": sector_code, "Sector Name": sector,
        "Funding Agencies": "|".join(rng.sample(FUNDERS, rng.randint(1, 2))),
        "Funding Agencies Type": "State-owned Policy Bank",
        "Implementing Agencies": "|".join(rng.sample(IMPLEMENTERS, rng.randint(1, 3))),
        "Amount (Original Currency)": amount + 0.5, "Original Currency": rng.choice(["USD", "CNY", "EUR"]),
        "Amount Estimated": rng.choice(["Yes", "No"]), "Amount (Constant USD 2021)": amount * 1.1,
        "Amount (Nominal USD)": float(amount), "Commitment Date (MM/DD/YYYY)": _date(rng, year),
        "Commitment Date Estimated": "No", "Actual Implementation Start Date (MM/DD/YYYY)": _date(rng, year + 1),
        "Actual Implementation Start Date Estimated": "No",
        "Actual Completion Date (MM/DD/YYYY)": _date(rng, year + 3) if i % 3 else None,
        "Actual Completion Date Estimated": "No",
        "Source URLs": "|".join(s[0] for s in sources), "Source Titles": "|".join(s[1] for s in sources),
        "Source Publishers": "|".join(s[2] for s in sources), "Source Type": "|".join(s[3] for s in sources),
        "Total Source Count": len(sources), "Location Narrative": _text(rng, 120),
    }
    return values


def write(path: Path, rows: int = RECORDS, *, streamed: bool = False) -> Path:
    from openpyxl import Workbook

    header = columns()
    rng = random.Random(3)
    book = Workbook(write_only=streamed)
    if streamed:
        sheet = book.create_sheet("GCDF_3.0")
    else:
        sheet = book.active
        sheet.title = "GCDF_3.0"
    sheet.append(header)
    shared: list[tuple[str, str, str, str]] = []
    for i in range(rows):
        values = row_values(rng, i, shared)
        sheet.append([values.get(c, rng.choice(["Yes", "No", None, "0.0"])) for c in header])
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=RECORDS)
    parser.add_argument("--streamed", action="store_true", help="text inline and no dimension, as scripts write")
    args = parser.parse_args()
    write(args.out, args.rows, streamed=args.streamed)
    print(f"{args.out}: {args.rows:,} rows x {len(columns())} columns{' (streamed)' if args.streamed else ''}")


if __name__ == "__main__":
    main()
