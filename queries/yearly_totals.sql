-- Question: How much money was committed each year, counting every project once?
-- Views:    bi.projects (one row per project); bi.projects_by_country gives the same totals with amount_usd_nominal_allocated
-- Umbrella agreements are left out (their money is counted again in the projects under them), and so are
-- projects their source does not recommend for totals (AidData's recommended_for_aggregates); a source that
-- says nothing counts.
SELECT
    year,
    COUNT(*)                 AS projects,
    SUM(amount_usd_nominal)  AS total_usd_nominal,
    SUM(amount_usd_constant) AS total_usd_constant
FROM bi.projects
WHERE year IS NOT NULL
  AND (is_umbrella IS NULL OR is_umbrella = FALSE)
  AND (recommended_for_aggregates IS NULL OR recommended_for_aggregates = TRUE)
GROUP BY year
ORDER BY year
