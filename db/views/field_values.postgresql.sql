-- One row per statement and field: what each source says about each field of a record (docs/provenance.md).
WITH records AS (
    SELECT 'project' AS record_type, id AS record_id, code AS record_code, title AS record_title FROM projects
    UNION ALL
    SELECT 'agreement', id, code, title FROM agreements
    UNION ALL
    SELECT 'event', id, code, title FROM events
    UNION ALL
    SELECT 'forum', id, code, name FROM forums
    UNION ALL
    SELECT 'organisation', id, code, name FROM organisations
    UNION ALL
    SELECT 'membership', m.id, f.code || ':' || c.code, c.name || ' in ' || f.name || ' (' || m.role || ')'
    FROM memberships AS m JOIN forums AS f ON f.id = m.forum_id JOIN countries AS c ON c.id = m.country_id
    UNION ALL
    SELECT 'source', id, key, title FROM sources
),
vals AS (
    SELECT st.id AS statement_id, st.record_type, st.record_id, st.source_id, st.locator, st.first_seen_at,
           st.last_seen_at, f.key AS field, jsonb_typeof(f.value) AS json_type, f.value #>> '{}' AS value
    FROM statements AS st
    CROSS JOIN LATERAL jsonb_each(CAST(st.data AS jsonb)) AS f(key, value)
)
SELECT
    v.statement_id                   AS statement_id,
    v.record_type                    AS record_type,
    v.record_id                      AS record_id,
    r.record_code                    AS record_code,
    r.record_title                   AS record_title,
    v.field                          AS field,
    v.value                          AS value,
    (v.json_type = 'array')          AS is_list,
    (v.json_type = 'null')           AS clears,
    s.key                            AS source_key,
    s.kind                           AS source_kind,
    s.title                          AS source_title,
    s.published_on                   AS published_on,
    s.priority                       AS priority,
    v.locator                        AS locator,
    CAST(v.first_seen_at AS date)    AS first_seen_on,
    CAST(v.last_seen_at AS date)     AS last_seen_on
FROM vals AS v
JOIN sources AS s ON s.id = v.source_id
LEFT JOIN records AS r ON r.record_type = v.record_type AND r.record_id = v.record_id
