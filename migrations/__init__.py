"""Alembic migrations; shipped inside the package so `coopdb db upgrade` works after `pip install .`."""
