from __future__ import annotations

import pytest

from tests.bi import dataset


@pytest.fixture
def bi_engine(engine):
    """A database at head holding the BI test dataset."""
    with engine.begin() as conn:
        dataset.load(conn)
    return engine
