-- One row per project and participant country (a project with three countries has three rows).
-- YEAR_OF is replaced by each dialect's year extraction (an integer) when the view is created (db/bi.py).
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
    c.code                AS country_code,
    c.name                AS country_name,
    c.alpha2              AS country_alpha2,
    c.alpha3              AS country_alpha3,
    c.region              AS region,
    c.subregion           AS subregion,
    pc.role               AS role,
    f.code                AS framework_forum_code,
    f.name                AS framework_forum_name
FROM projects AS p
JOIN project_countries AS pc ON pc.project_id = p.id
JOIN countries AS c ON c.id = pc.country_id
LEFT JOIN forums AS f ON f.id = p.framework_forum_id
