"""Reading the YAML data files coopdb ships (country aliases, data-set metadata, the BI catalogue): with
libyaml's parser where PyYAML was built with it (several times faster on the larger files), else PyYAML's own;
both are the safe loader (plain data, no Python objects)."""

from __future__ import annotations

from typing import IO, Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_data(stream: str | IO[str]) -> Any:
    return yaml.load(stream, Loader=_LOADER)
