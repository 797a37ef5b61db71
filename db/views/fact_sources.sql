-- One row per citation: the cited record (by type, code and title) and the source that supports it.
WITH records AS (
    SELECT 'project' AS record_type, id AS record_id, code AS record_code, title AS record_title FROM projects
    UNION ALL
    SELECT 'agreement', id, code, title FROM agreements
    UNION ALL
    SELECT 'event', id, code, title FROM events
    UNION ALL
    SELECT 'forum', id, code, name FROM forums
    UNION ALL
    SELECT 'country', id, code, name FROM countries
    UNION ALL
    SELECT 'organisation', id, code, name FROM organisations
    UNION ALL
    SELECT 'membership', m.id, f.code || ':' || c.code, c.name || ' in ' || f.name || ' (' || m.role || ')'
    FROM memberships AS m JOIN forums AS f ON f.id = m.forum_id JOIN countries AS c ON c.id = m.country_id
    -- rows of link tables are shown as the project or agreement they belong to
    UNION ALL
    SELECT 'project_country', x.id, p.code, p.title
    FROM project_countries AS x JOIN projects AS p ON p.id = x.project_id
    UNION ALL
    SELECT 'project_organisation', x.id, p.code, p.title
    FROM project_organisations AS x JOIN projects AS p ON p.id = x.project_id
    UNION ALL
    SELECT 'project_link', x.id, p.code, p.title
    FROM project_links AS x JOIN projects AS p ON p.id = x.project_id
    UNION ALL
    SELECT 'agreement_party', x.id, a.code, a.title
    FROM agreement_parties AS x JOIN agreements AS a ON a.id = x.agreement_id
    UNION ALL
    SELECT 'agreement_project', x.id, a.code, a.title
    FROM agreement_projects AS x JOIN agreements AS a ON a.id = x.agreement_id
)
SELECT
    ci.id                 AS citation_id,
    ci.record_type        AS record_type,
    ci.record_id          AS record_id,
    r.record_code         AS record_code,
    r.record_title        AS record_title,
    ci.field              AS field,
    s.key                 AS source_key,
    s.kind                AS source_kind,
    s.title               AS source_title,
    s.publisher           AS publisher,
    s.url                 AS source_url,
    s.language            AS language,
    s.published_on        AS published_on,
    s.published_precision AS published_precision,
    ci.locator            AS locator,
    ci.quote              AS quote
FROM citations AS ci
JOIN sources AS s ON s.id = ci.source_id
LEFT JOIN records AS r ON r.record_type = ci.record_type AND r.record_id = ci.record_id
