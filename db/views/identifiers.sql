-- One row per external identifier of a record (docs/provenance.md): which scheme, which value, who gave it.
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
)
SELECT
    i.id                 AS identifier_id,
    i.record_type        AS record_type,
    i.record_id          AS record_id,
    r.record_code        AS record_code,
    r.record_title       AS record_title,
    i.scheme             AS scheme,
    i.value              AS value,
    s.key                AS source_key,
    i.created_run_id     AS first_seen_run_id
FROM identifiers AS i
JOIN records AS r ON r.record_type = i.record_type AND r.record_id = i.record_id
LEFT JOIN sources AS s ON s.id = i.source_id
