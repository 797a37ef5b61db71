-- One row per day from 1800-01-01 to 2050-12-31: a date dimension to join on any date column.
WITH RECURSIVE days(d) AS (
    SELECT '1800-01-01'
    UNION ALL
    SELECT date(d, '+1 day') FROM days WHERE d < '2050-12-31'
)
SELECT
    d                                              AS date,
    CAST(substr(d, 1, 4) AS INTEGER)               AS year,
    (CAST(substr(d, 6, 2) AS INTEGER) + 2) / 3     AS quarter,
    CAST(substr(d, 6, 2) AS INTEGER)               AS month,
    CASE substr(d, 6, 2) WHEN '01' THEN 'January' WHEN '02' THEN 'February' WHEN '03' THEN 'March'
        WHEN '04' THEN 'April' WHEN '05' THEN 'May' WHEN '06' THEN 'June' WHEN '07' THEN 'July'
        WHEN '08' THEN 'August' WHEN '09' THEN 'September' WHEN '10' THEN 'October'
        WHEN '11' THEN 'November' ELSE 'December' END AS month_name,
    substr(d, 1, 7)                                AS year_month,
    CAST(substr(d, 9, 2) AS INTEGER)               AS day_of_month,
    ((CAST(strftime('%w', d) AS INTEGER) + 6) % 7) + 1 AS day_of_week,
    CAST(substr(d, 1, 4) AS INTEGER) / 10 * 10     AS decade
FROM days
