-- Each ordered pair of countries that share a project, an agreement, a forum or an event (both directions,
-- so that filtering on country_code gives every partner of that country). The counts of projects, agreements
-- and forums are kept in the table country_pair_totals, updated by every import for the pairs it touched and
-- rebuilt by `coopdb bi refresh` (db/bi.py): counting them here took seconds per query at AidData scale. Events are few (news adds them one
-- by one), so they are counted here, from event_countries.
WITH ev AS (
    SELECT a.country_id AS country_id, b.country_id AS partner_id, COUNT(DISTINCT a.event_id) AS shared_events,
           MIN(YEAR_OF(e.occurred_on)) AS first_year, MAX(YEAR_OF(e.occurred_on)) AS last_year
    FROM event_countries AS a
    JOIN event_countries AS b ON b.event_id = a.event_id AND b.country_id <> a.country_id
    JOIN events AS e ON e.id = a.event_id
    GROUP BY a.country_id, b.country_id
),
pairs AS (
    SELECT country_id, partner_id FROM country_pair_totals
    UNION
    SELECT country_id, partner_id FROM ev
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
    COALESCE(t.shared_projects, 0)   AS shared_projects,
    COALESCE(t.shared_agreements, 0) AS shared_agreements,
    COALESCE(t.shared_forums, 0)     AS shared_forums,
    COALESCE(ev.shared_events, 0)    AS shared_events,
    CASE WHEN ev.first_year IS NULL OR ev.first_year >= t.first_year THEN COALESCE(t.first_year, ev.first_year)
         ELSE ev.first_year END AS first_year,
    CASE WHEN ev.last_year IS NULL OR ev.last_year <= t.last_year THEN COALESCE(t.last_year, ev.last_year)
         ELSE ev.last_year END AS last_year
FROM pairs
JOIN countries AS c ON c.id = pairs.country_id
JOIN countries AS pt ON pt.id = pairs.partner_id
LEFT JOIN country_pair_totals AS t ON t.country_id = pairs.country_id AND t.partner_id = pairs.partner_id
LEFT JOIN ev ON ev.country_id = pairs.country_id AND ev.partner_id = pairs.partner_id
