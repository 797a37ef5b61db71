from tests.datasets.conftest import few_countries  # noqa: F401  (a few countries inserted by hand)
