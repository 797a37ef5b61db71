-- One row per event and agreement signed or announced at it.
SELECT
    e.id                   AS event_id,
    e.code                 AS event_code,
    e.kind                 AS kind,
    e.title                AS title,
    e.occurred_on          AS occurred_on,
    e.occurred_precision   AS occurred_precision,
    YEAR_OF(e.occurred_on) AS occurred_year,
    a.code                 AS agreement_code,
    a.title                AS agreement_title,
    a.kind                 AS agreement_kind,
    a.signed_on            AS signed_on,
    a.signed_precision     AS signed_precision
FROM event_agreements AS ea
JOIN events AS e ON e.id = ea.event_id
JOIN agreements AS a ON a.id = ea.agreement_id
