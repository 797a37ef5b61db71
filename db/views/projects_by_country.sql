-- One row per project and participant country (a project with three countries has three rows).
-- YEAR_OF is replaced by each dialect's year extraction (an integer), ALLOCATED(column) by the part of the
-- project's money this row carries, and BI.name by the view's name on the dialect (db/bi.py).
-- Allocation: the rows that share the money are the recipient and host rows, or every row of a project that
-- has none; each gets the amount divided by their number, cut to the cent, and the last of them (by country
-- code, then role) the remainder, so that the allocated amounts of a project add up to its amount exactly.
WITH shares AS (
    SELECT pc.project_id, pc.country_id, pc.role,
           CASE WHEN s.recipients = 0 OR pc.role IN ('recipient', 'host') THEN 1 ELSE 0 END AS sharing,
           CASE WHEN s.recipients = 0 THEN s.participants ELSE s.recipients END AS sharers,
           s.recipient_countries AS recipients
    FROM project_countries AS pc
    JOIN (
        SELECT project_id,
               SUM(CASE WHEN role IN ('recipient', 'host') THEN 1 ELSE 0 END) AS recipients,
               COUNT(*) AS participants,
               COUNT(DISTINCT CASE WHEN role IN ('recipient', 'host') THEN country_id END) AS recipient_countries
        FROM project_countries
        GROUP BY project_id
    ) AS s ON s.project_id = pc.project_id
),
ranked AS (
    SELECT sh.*, c.code AS country_code,
           ROW_NUMBER() OVER (PARTITION BY sh.project_id, sh.sharing ORDER BY c.code, sh.role) AS share_rank
    FROM shares AS sh
    JOIN countries AS c ON c.id = sh.country_id
)
SELECT
    p.id                  AS project_id,
    p.code                AS project_code,
    p.title               AS project_title,
    p.sector              AS sector,
    p.sector_code         AS sector_code,
    p.status              AS status,
    COALESCE(YEAR_OF(p.committed_on), YEAR_OF(p.started_on)) AS year,
    p.committed_on        AS committed_on,
    p.committed_precision AS committed_precision,
    p.started_on          AS started_on,
    p.completed_on        AS completed_on,
    p.amount              AS amount,
    p.currency            AS currency,
    p.amount_year         AS amount_year,
    p.amount_usd_nominal  AS amount_usd_nominal,
    p.amount_usd_constant AS amount_usd_constant,
    p.usd_base_year       AS usd_base_year,
    p.capacity            AS capacity,
    p.capacity_unit       AS capacity_unit,
    p.location_name       AS location_name,
    p.admin_area          AS admin_area,
    p.latitude            AS latitude,
    p.longitude           AS longitude,
    c.country_code        AS country_code,
    c.country_name        AS country_name,
    c.alpha2              AS country_alpha2,
    c.alpha3              AS country_alpha3,
    c.region              AS region,
    c.subregion           AS subregion,
    r.role                AS role,
    f.code                AS framework_forum_code,
    f.name                AS framework_forum_name,
    p.intent              AS intent,
    p.flow_type           AS flow_type,
    p.flow_class          AS flow_class,
    p.committed_estimated AS committed_estimated,
    p.started_estimated   AS started_estimated,
    p.completed_estimated AS completed_estimated,
    p.amount_estimated    AS amount_estimated,
    p.is_regional         AS is_regional,
    p.recommended_for_aggregates AS recommended_for_aggregates,
    p.umbrella            AS is_umbrella,
    r.recipients          AS recipient_count,
    (r.sharing = 1)       AS is_allocated,
    ALLOCATED(p.amount)              AS amount_allocated,
    ALLOCATED(p.amount_usd_nominal)  AS amount_usd_nominal_allocated,
    ALLOCATED(p.amount_usd_constant) AS amount_usd_constant_allocated,
    c.map_alpha2          AS country_map_alpha2,
    c.map_alpha3          AS country_map_alpha3,
    c.latitude            AS country_latitude,
    c.longitude           AS country_longitude,
    SECTOR_GROUP(p.sector_code, p.sector) AS sector_group
FROM projects AS p
JOIN ranked AS r ON r.project_id = p.id
JOIN BI.countries AS c ON c.country_id = r.country_id
LEFT JOIN forums AS f ON f.id = p.framework_forum_id
