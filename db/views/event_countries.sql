-- One row per event and country taking part in it: the host, a visitor, another participant.
SELECT
    e.id                   AS event_id,
    e.code                 AS event_code,
    e.kind                 AS kind,
    e.title                AS title,
    e.occurred_on          AS occurred_on,
    e.occurred_precision   AS occurred_precision,
    YEAR_OF(e.occurred_on) AS occurred_year,
    ec.role                AS role,
    c.code                 AS country_code,
    c.name                 AS country_name,
    c.alpha2               AS country_alpha2,
    c.alpha3               AS country_alpha3
FROM event_countries AS ec
JOIN events AS e ON e.id = ec.event_id
JOIN countries AS c ON c.id = ec.country_id
