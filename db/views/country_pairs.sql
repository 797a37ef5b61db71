-- Each ordered pair of countries that share a project, an agreement or a forum (both directions, so that
-- filtering on country_code gives every partner of that country).
WITH links AS (
    -- projects in which both countries take part (any role); the year is the project's year
    SELECT a.country_id AS country_id, b.country_id AS partner_id, 'project' AS kind, p.id AS item_id,
           COALESCE(YEAR_OF(p.committed_on), YEAR_OF(p.started_on)) AS year
    FROM project_countries AS a
    JOIN project_countries AS b ON b.project_id = a.project_id AND b.country_id <> a.country_id
    JOIN projects AS p ON p.id = a.project_id
    UNION
    -- agreements to which both are parties; the year of signing (else entry into force)
    SELECT a.country_id, b.country_id, 'agreement', ag.id,
           COALESCE(YEAR_OF(ag.signed_on), YEAR_OF(ag.in_force_on))
    FROM agreement_parties AS a
    JOIN agreement_parties AS b ON b.agreement_id = a.agreement_id AND b.country_id <> a.country_id
    JOIN agreements AS ag ON ag.id = a.agreement_id
    UNION
    -- forums both have belonged to (any role); the year the later of the two joined
    SELECT a.country_id, b.country_id, 'forum', a.forum_id,
           CASE WHEN a.started_on >= b.started_on THEN YEAR_OF(a.started_on) ELSE YEAR_OF(b.started_on) END
    FROM memberships AS a
    JOIN memberships AS b ON b.forum_id = a.forum_id AND b.country_id <> a.country_id
)
SELECT
    c.code   AS country_code,
    c.name   AS country_name,
    c.alpha2 AS country_alpha2,
    c.alpha3 AS country_alpha3,
    pt.code   AS partner_code,
    pt.name   AS partner_name,
    pt.alpha2 AS partner_alpha2,
    pt.alpha3 AS partner_alpha3,
    COUNT(DISTINCT CASE WHEN l.kind = 'project' THEN l.item_id END)   AS shared_projects,
    COUNT(DISTINCT CASE WHEN l.kind = 'agreement' THEN l.item_id END) AS shared_agreements,
    COUNT(DISTINCT CASE WHEN l.kind = 'forum' THEN l.item_id END)     AS shared_forums,
    MIN(l.year) AS first_year,
    MAX(l.year) AS last_year
FROM links AS l
JOIN countries AS c ON c.id = l.country_id
JOIN countries AS pt ON pt.id = l.partner_id
GROUP BY c.code, c.name, c.alpha2, c.alpha3, pt.code, pt.name, pt.alpha2, pt.alpha3
