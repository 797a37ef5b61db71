-- Question: which energy projects in Kazakhstan involve China, by year?
-- Views:    bi.projects_by_country
-- Notes:    "in Kazakhstan" means Kazakhstan hosts or receives the project; China takes part in any role
--           (financier, builder, ...), china_role shows the first alphabetically and china_roles how many. Sector names follow the source (AidData
--           writes ENERGY), so the match ignores case.
SELECT
    k.year,
    k.project_code,
    k.project_title,
    k.status,
    k.capacity,
    k.capacity_unit,
    k.amount_usd_nominal,
    MIN(c.role) AS china_role,
    COUNT(DISTINCT c.role) AS china_roles
FROM bi.projects_by_country AS k
JOIN bi.projects_by_country AS c ON c.project_code = k.project_code AND c.country_alpha3 = 'CHN'
WHERE k.country_alpha3 = 'KAZ'
  AND k.role IN ('host', 'recipient')
  AND UPPER(k.sector) LIKE '%ENERGY%'
GROUP BY k.year, k.project_code, k.project_title, k.status, k.capacity, k.capacity_unit, k.amount_usd_nominal
ORDER BY k.year, k.project_code
