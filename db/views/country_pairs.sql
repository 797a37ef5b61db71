-- Each ordered pair of countries that share a project, an agreement or a forum (both directions, so that
-- filtering on country_code gives every partner of that country). The counts are kept in the table
-- country_pair_totals, rebuilt after every import and by `coopdb bi refresh` (db/bi.py): counting them here
-- took seconds per query at AidData scale.
SELECT
    c.code   AS country_code,
    c.name   AS country_name,
    c.alpha2 AS country_alpha2,
    c.alpha3 AS country_alpha3,
    pt.code   AS partner_code,
    pt.name   AS partner_name,
    pt.alpha2 AS partner_alpha2,
    pt.alpha3 AS partner_alpha3,
    t.shared_projects   AS shared_projects,
    t.shared_agreements AS shared_agreements,
    t.shared_forums     AS shared_forums,
    t.first_year AS first_year,
    t.last_year  AS last_year
FROM country_pair_totals AS t
JOIN countries AS c ON c.id = t.country_id
JOIN countries AS pt ON pt.id = t.partner_id
