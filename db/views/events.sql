-- One row per event: what happened, when (with precision), where, and the project, agreement or forum it concerns.
SELECT
    e.id                   AS event_id,
    e.code                 AS event_code,
    e.kind                 AS kind,
    e.title                AS title,
    e.occurred_on          AS occurred_on,
    e.occurred_precision   AS occurred_precision,
    YEAR_OF(e.occurred_on) AS occurred_year,
    e.place_name           AS place_name,
    c.code                 AS country_code,
    c.name                 AS country_name,
    c.alpha2               AS country_alpha2,
    c.alpha3               AS country_alpha3,
    p.code                 AS project_code,
    p.title                AS project_title,
    a.code                 AS agreement_code,
    a.title                AS agreement_title,
    f.code                 AS forum_code,
    f.name                 AS forum_name,
    e.description          AS description,
    (SELECT COUNT(*) FROM statements AS st
     WHERE st.record_type = 'event' AND st.record_id = e.id) AS source_count
FROM events AS e
LEFT JOIN countries AS c ON c.id = e.country_id
LEFT JOIN projects AS p ON p.id = e.project_id
LEFT JOIN agreements AS a ON a.id = e.agreement_id
LEFT JOIN forums AS f ON f.id = e.forum_id
