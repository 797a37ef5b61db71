-- One row per membership span: a country in one role in one forum from a date to a date.
SELECT
    m.id                 AS membership_id,
    f.code               AS forum_code,
    f.name               AS forum_name,
    f.acronym            AS forum_acronym,
    f.kind               AS forum_kind,
    c.code               AS country_code,
    c.name               AS country_name,
    c.alpha2             AS country_alpha2,
    c.alpha3             AS country_alpha3,
    m.role               AS role,
    m.started_on         AS started_on,
    m.started_precision  AS started_precision,
    YEAR_OF(m.started_on) AS started_year,
    m.ended_on           AS ended_on,
    m.ended_precision    AS ended_precision,
    YEAR_OF(m.ended_on)  AS ended_year,
    m.ended_on IS NULL   AS is_current,
    d.map_alpha2         AS country_map_alpha2,
    d.map_alpha3         AS country_map_alpha3
FROM memberships AS m
JOIN forums AS f ON f.id = m.forum_id
JOIN countries AS c ON c.id = m.country_id
JOIN BI.countries AS d ON d.country_id = m.country_id
