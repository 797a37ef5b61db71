"""coopdb: a relational database of international cooperation."""

__version__ = "0.1.0"
