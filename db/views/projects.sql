-- One row per project: sum amounts here to count each project once.
SELECT
    p.id                  AS project_id,
    p.code                AS project_code,
    p.title               AS project_title,
    p.sector              AS sector,
    p.sector_code         AS sector_code,
    p.status              AS status,
    p.intent              AS intent,
    p.flow_type           AS flow_type,
    p.flow_class          AS flow_class,
    COALESCE(YEAR_OF(p.committed_on), YEAR_OF(p.started_on)) AS year,
    p.committed_on        AS committed_on,
    p.committed_precision AS committed_precision,
    p.committed_estimated AS committed_estimated,
    p.started_on          AS started_on,
    p.started_precision   AS started_precision,
    p.started_estimated   AS started_estimated,
    p.completed_on        AS completed_on,
    p.completed_precision AS completed_precision,
    p.completed_estimated AS completed_estimated,
    p.amount              AS amount,
    p.currency            AS currency,
    p.amount_year         AS amount_year,
    p.amount_estimated    AS amount_estimated,
    p.amount_usd_nominal  AS amount_usd_nominal,
    p.amount_usd_constant AS amount_usd_constant,
    p.usd_base_year       AS usd_base_year,
    p.capacity            AS capacity,
    p.capacity_unit       AS capacity_unit,
    p.location_name       AS location_name,
    p.admin_area          AS admin_area,
    p.latitude            AS latitude,
    p.longitude           AS longitude,
    p.is_regional         AS is_regional,
    p.recipient_region    AS recipient_region,
    p.recommended_for_aggregates AS recommended_for_aggregates,
    p.umbrella            AS is_umbrella,
    COALESCE(n.recipient_count, 0) AS recipient_count,
    COALESCE(n.country_count, 0)   AS country_count,
    f.code                AS framework_forum_code,
    f.name                AS framework_forum_name,
    SECTOR_GROUP(p.sector_code, p.sector) AS sector_group
FROM projects AS p
LEFT JOIN (
    SELECT project_id,
           COUNT(DISTINCT CASE WHEN role IN ('recipient', 'host') THEN country_id END) AS recipient_count,
           COUNT(DISTINCT country_id) AS country_count
    FROM project_countries
    GROUP BY project_id
) AS n ON n.project_id = p.id
LEFT JOIN forums AS f ON f.id = p.framework_forum_id
