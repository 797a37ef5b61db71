"""What autogenerate and `coopdb db check` compare: tables, never the BI views."""

from __future__ import annotations


def include_name(name, type_, parent_names):
    if type_ == "schema":
        return name in (None, "public")
    if type_ == "table":
        return not (name or "").startswith("bi_") and name != "alembic_version"
    return True


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and getattr(obj, "info", {}).get("is_view"))
