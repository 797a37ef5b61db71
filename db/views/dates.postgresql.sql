-- One row per day from 1800-01-01 to 2050-12-31: a date dimension to join on any date column.
SELECT
    CAST(d AS DATE)                              AS date,
    CAST(EXTRACT(YEAR FROM d) AS INTEGER)        AS year,
    CAST(EXTRACT(QUARTER FROM d) AS INTEGER)     AS quarter,
    CAST(EXTRACT(MONTH FROM d) AS INTEGER)       AS month,
    TRIM(TO_CHAR(d, 'FMMonth'))                  AS month_name,
    TO_CHAR(d, 'YYYY-MM')                        AS year_month,
    CAST(EXTRACT(DAY FROM d) AS INTEGER)         AS day_of_month,
    CAST(EXTRACT(ISODOW FROM d) AS INTEGER)      AS day_of_week,
    CAST(EXTRACT(YEAR FROM d) AS INTEGER) / 10 * 10 AS decade
FROM generate_series(TIMESTAMP '1800-01-01', TIMESTAMP '2050-12-31', INTERVAL '1 day') AS g(d)
