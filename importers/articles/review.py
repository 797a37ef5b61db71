"""The review file: candidates as a bundle (importers/bundle.py layout) the user edits and imports.

It holds the article's source and `projects:` / `agreements:` sections, then `events:` (dated
happenings it reports) and `updates:` (what it says about known records that differs from the
database), when there are any. Each candidate cites the article with `line N` and its sentence as
the quote; its confidence and reasons are YAML comments,
so the unchanged file imports without warnings. The first line records a hash of the generated
text: a file whose text no longer matches was edited by hand and is not overwritten without force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from db.errors import UserError
from importers.articles.candidates import Candidate
from importers.articles.events import EventCandidate
from importers.articles.updates import Update

MARK = "# coopdb review file; generated-sha256:"
SOURCE_FIELDS = ("key", "kind", "title", "publisher", "author", "url", "language", "published_on",
                 "published_precision", "licence", "content_hash", "notes", "content")


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value and not re.search(r"[ \t]\n|[\r\x85\u2028\u2029]|\s$", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _decimal(dumper: yaml.SafeDumper, value: Decimal):
    return dumper.represent_scalar("tag:yaml.org,2002:str", format(value, "f"))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)


def _dump(value: Any, indent: int) -> str:
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000,
                     default_flow_style=False)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _date(value: dt.date, precision: str | None) -> str:
    return {"year": str(value.year), "month": value.isoformat()[:7]}.get(precision or "day", value.isoformat())


def _record(candidate: Candidate, source_key: str, lang: str) -> dict[str, Any]:
    record: dict[str, Any] = {"code": candidate.code, "title": candidate.title}
    fields = dict(candidate.fields)
    for name in list(fields):
        if name.endswith("_on"):
            precision = fields.pop(name.replace("_on", "_precision"), None)
            fields[name] = _date(fields[name], precision)
    for name in list(fields):
        if name.endswith("_precision"):
            fields.pop(name)
    if candidate.section == "agreements":
        # "17 agreements worth $629 million": one record standing for 17, with the value reported
        count = fields.pop("count", None)
        if count and int(count) > 1:
            fields["instrument_count"] = int(count)
    record.update({k: v for k, v in fields.items() if k not in ("subjects",)})
    if candidate.section == "projects":
        if candidate.framework:
            record["framework"] = candidate.framework.code
        if candidate.names:
            record["names"] = [{"name": n, "lang": lang_} for n, lang_ in candidate.names]
        if candidate.countries:
            record["participants"] = [{"country": c.code, "role": "partner"} for c in candidate.countries]
    else:
        if candidate.countries:
            record["parties"] = [{"country": c.code, "role": "party"} for c in candidate.countries]
        if fields.get("subjects"):
            record["subjects"] = fields["subjects"]
    record["cites"] = [{"source": source_key, "locator": f"line {s.line}", "quote": s.text}
                       for s in candidate.sentences]
    return record


def _recognised(thing: Candidate) -> list[str]:
    """Comment lines for a known project the article reports: its lines, new names and what it says."""
    assert thing.known is not None
    lines = ", ".join(str(n) for n in thing.lines)
    out = [f"#   {thing.known.entity_type} {thing.known.code} ({thing.known.name}), lines {lines}"]
    if thing.names:
        out.append("#     written as: " + "; ".join(f"{n!r} ({lang})" for n, lang in thing.names))
    facts = []
    for name, value in thing.fields.items():
        if name.endswith("_precision") or name in ("currency", "capacity_unit", "sector"):
            continue
        if name.endswith("_on"):
            value = _date(value, thing.fields.get(name.replace("_on", "_precision")))
        elif name == "amount":
            value = f"{format(value, 'f')} {thing.fields.get('currency')}"
        elif name == "capacity":
            value = f"{format(value, 'f')} {thing.fields.get('capacity_unit')}"
        facts.append(f"{name} {value}")
    if facts:
        out.append("#     the article says: " + "; ".join(facts))
    return out


def _update_lines(updates: list[Update], source_key: str) -> list[str]:
    """The `updates:` section: per known record, one `# update CODE: field old -> new` line per change and
    the record with the article's values, citing the sentences that report them."""
    lines = ["# What the article says about known records that differs from their current values. Delete a",
             "# change you do not accept; importing the file records the others as the article's statements,",
             "# which win by the precedence of docs/provenance.md (a source of higher priority keeps its value).",
             "updates:"]
    for update in updates:
        for change in update.changes:
            note = f" ({change.note})" if change.note else ""
            lines.append(f"  # update {update.code}: {change.field} {change.old} -> {change.new}{note}")
        record: dict[str, Any] = {update.record_type: update.code}
        for change in update.changes:
            for name, value in change.values.items():
                if name.endswith("_precision") or value is None:
                    continue
                record[name] = _date(value, change.values.get(name.replace("_on", "_precision"))) \
                    if name.endswith("_on") else value
        record["cites"] = [{"source": source_key, "locator": f"line {s.line}", "quote": s.text}
                           for s in update.sentences]
        lines.append(_dump([record], 2).rstrip("\n"))
    return lines


def _event_lines(events: list[EventCandidate], source_key: str) -> list[str]:
    lines = ["events:"]
    for event in events:
        lines += [f"  # - {reason}" for reason in event.reasons]
        record: dict[str, Any] = {"code": event.code, "kind": event.kind, "title": event.title,
                                  "occurred_on": _date(event.occurred_on, event.precision)}
        if event.place:
            record["place_name"] = event.place
        for name, value in (("country", event.country.code if event.country else None),
                            ("forum", event.forum.code if event.forum else None),
                            ("project", event.project), ("agreement", event.agreement)):
            if value:
                record[name] = value
        if event.roles:
            record["countries"] = [{"country": c.code, "role": role} for c, role in event.roles]
        if event.agreements:
            record["agreements"] = list(event.agreements)
        record["cites"] = [{"source": source_key, "locator": f"line {s.line}", "quote": s.text}
                           for s in event.sentences]
        lines.append(_dump([record], 2).rstrip("\n"))
    return lines


def render(source: dict[str, Any], candidates: list[Candidate], *, article: str, lang: str,
           language_note: str, recognised: list[Candidate] | None = None,
           updates: list[Update] | None = None, events: list[EventCandidate] | None = None) -> str:
    """The review file's text (without its first, marking line)."""
    key = source["key"]
    lines = [
        f"# Candidates read from {article} (language {lang}: {language_note}).",
        "# Each record is a proposal: check it against its quote, correct or delete it, then import",
        "# this file with `coopdb import bundle FILE`. Roles are",
        "# guesses ('partner', 'party'); codes are made from the titles.",
    ]
    if recognised:
        lines.append("# Known records the article reports (recognised, not proposed again; what differs from the")
        lines.append("# database is proposed under updates: below):")
        by_code = {(u.record_type, u.code): u for u in updates or ()}
        for thing in recognised:
            lines += _recognised(thing)
            update = by_code.get((thing.known.entity_type, thing.known.code))
            if update and update.same:
                lines.append("#     same as the database (nothing proposed): " + "; ".join(update.same))
            if update and update.skipped:
                lines += [f"#     {why}" for why in update.skipped]
    lines += [
        "sources:",
        _dump([{k: source[k] for k in SOURCE_FIELDS if source.get(k) is not None}], 2).rstrip("\n"),
    ]
    for section in ("projects", "agreements"):
        chosen = [c for c in candidates if c.section == section]
        if not chosen:
            lines.append(f"{section}: []")
            continue
        lines.append(f"{section}:")
        for candidate in chosen:
            lines.append(f"  # confidence {candidate.confidence:.2f}")
            lines += [f"  # - {reason}" for reason in candidate.reasons]
            lines.append(_dump([_record(candidate, key, lang)], 2).rstrip("\n"))
    if events:
        lines += _event_lines(events, key)
    changed = [u for u in updates or () if u.changes]
    if changed:
        lines += _update_lines(changed, key)
    return "\n".join(lines) + "\n"


def with_mark(body: str) -> str:
    return f"{MARK} {hashlib.sha256(body.encode('utf-8')).hexdigest()}\n{body}"


def check_writable(path: Path, force: bool) -> None:
    """Refuse to overwrite a review file the user edited (its text no longer matches its mark)."""
    if force or not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    first, _, body = text.partition("\n")
    if first.startswith(MARK) and first[len(MARK):].strip() == hashlib.sha256(body.encode("utf-8")).hexdigest():
        return
    raise UserError(f"{path}: the review file exists and was edited (or not written by coopdb); import it, "
                    "choose another with --review FILE, or overwrite it with --force")


def write(path: Path, body: str, force: bool) -> None:
    check_writable(path, force)
    try:
        path.write_text(with_mark(body), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot write the review file ({exc.strerror})") from None
