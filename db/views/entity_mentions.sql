-- One row per source and entity named in it: how often, and the sentence of the first mention.
WITH entities AS (
    SELECT 'country' AS entity_type, id AS entity_id, code AS entity_code, name AS entity_name FROM countries
    UNION ALL
    SELECT 'forum', id, code, name FROM forums
    UNION ALL
    SELECT 'organisation', id, code, name FROM organisations
    UNION ALL
    SELECT 'project', id, code, title FROM projects
    UNION ALL
    SELECT 'agreement', id, code, title FROM agreements
),
counted AS (
    SELECT source_id, entity_type, entity_id, COUNT(*) AS mention_count, MIN(start_char) AS first_char
    FROM mentions
    GROUP BY source_id, entity_type, entity_id
)
SELECT
    s.key            AS source_key,
    s.title          AS source_title,
    s.publisher      AS publisher,
    s.url            AS source_url,
    s.language       AS language,
    s.published_on   AS published_on,
    k.entity_type    AS entity_type,
    k.entity_id      AS entity_id,
    e.entity_code    AS entity_code,
    e.entity_name    AS entity_name,
    k.mention_count  AS mention_count,
    m.sentence       AS first_sentence,
    m.matched_text   AS first_matched_text
FROM counted AS k
JOIN sources AS s ON s.id = k.source_id
JOIN mentions AS m
  ON m.source_id = k.source_id AND m.entity_type = k.entity_type AND m.entity_id = k.entity_id
 AND m.start_char = k.first_char
LEFT JOIN entities AS e ON e.entity_type = k.entity_type AND e.entity_id = k.entity_id
