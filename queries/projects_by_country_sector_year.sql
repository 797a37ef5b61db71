-- Question: how many projects does each country take part in, by sector and year, and for how much?
-- Views:    bi.projects_by_country
-- Notes:    a project counts once per country whatever that country's roles; the USD sum adds each project
--           once per country (SUM over distinct projects, not over roles). year is the commitment year, else
--           the start year; projects with neither are grouped under an empty year.
SELECT
    country_name,
    country_alpha2,
    country_alpha3,
    sector,
    year,
    COUNT(*)                AS projects,
    SUM(amount_usd_nominal) AS amount_usd_nominal
FROM (
    SELECT DISTINCT project_code, country_name, country_alpha2, country_alpha3, sector, year, amount_usd_nominal
    FROM bi.projects_by_country
) AS per_country
GROUP BY country_name, country_alpha2, country_alpha3, sector, year
ORDER BY country_name, sector, year
