-- One row per record and field on which sources disagree (lists excluded: a child row exists while any source lists it).
SELECT
    record_type                                        AS record_type,
    record_id                                          AS record_id,
    MIN(record_code)                                   AS record_code,
    MIN(record_title)                                  AS record_title,
    field                                              AS field,
    COUNT(DISTINCT COALESCE(value, '(none)'))          AS distinct_values,
    COUNT(*)                                           AS sources,
    group_concat(DISTINCT COALESCE(value, '(none)')) AS stated_values
FROM bi_field_values
WHERE NOT is_list
GROUP BY record_type, record_id, field
HAVING COUNT(DISTINCT COALESCE(value, '(none)')) > 1
