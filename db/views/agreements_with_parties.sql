-- One row per agreement and party; an agreement without known parties has one row with empty party columns.
SELECT
    a.id                   AS agreement_id,
    a.code                 AS agreement_code,
    a.title                AS agreement_title,
    a.kind                 AS kind,
    a.status               AS status,
    a.target               AS target,
    a.signed_on            AS signed_on,
    a.signed_precision     AS signed_precision,
    YEAR_OF(a.signed_on)   AS signed_year,
    a.in_force_on          AS in_force_on,
    a.in_force_precision   AS in_force_precision,
    a.terminated_on        AS terminated_on,
    a.terminated_precision AS terminated_precision,
    f.code                 AS forum_code,
    f.name                 AS forum_name,
    c.code                 AS country_code,
    c.name                 AS country_name,
    c.alpha2               AS country_alpha2,
    c.alpha3               AS country_alpha3,
    ap.role                AS party_role,
    COALESCE(n.party_count, 0) AS party_count,
    a.amount               AS amount,
    a.currency             AS currency,
    a.instrument_count     AS instrument_count
FROM agreements AS a
LEFT JOIN forums AS f ON f.id = a.forum_id
LEFT JOIN agreement_parties AS ap ON ap.agreement_id = a.id
LEFT JOIN countries AS c ON c.id = ap.country_id
LEFT JOIN (
    SELECT agreement_id, COUNT(DISTINCT country_id) AS party_count
    FROM agreement_parties
    GROUP BY agreement_id
) AS n ON n.agreement_id = a.id
