-- One row per country, territory or former state: codes of every scheme, UN M49 region and sub-region, a
-- centroid, and the code to draw it with on a map (a former state is drawn as its successor: map_is_successor).
SELECT
    c.id                                   AS country_id,
    c.code                                 AS country_code,
    c.name                                 AS country_name,
    c.official_name                        AS official_name,
    c.kind                                 AS kind,
    c.alpha2                               AS alpha2,
    c.alpha3                               AS alpha3,
    c.numeric                              AS numeric_code,
    COALESCE(c.region_code, s.region_code) AS region_code,
    COALESCE(c.region, s.region)           AS region,
    COALESCE(c.subregion_code, s.subregion_code) AS subregion_code,
    COALESCE(c.subregion, s.subregion)     AS subregion,
    c.intermediate_region_code             AS intermediate_region_code,
    c.intermediate_region                  AS intermediate_region,
    COALESCE(c.latitude, s.latitude)       AS latitude,
    COALESCE(c.longitude, s.longitude)     AS longitude,
    c.valid_from                           AS valid_from,
    c.valid_to                             AS valid_to,
    (c.kind = 'former')                    AS is_former,
    s.code                                 AS successor_code,
    s.name                                 AS successor_name,
    COALESCE(c.alpha2, s.alpha2)           AS map_alpha2,
    COALESCE(c.alpha3, s.alpha3)           AS map_alpha3,
    (c.alpha3 IS NULL AND s.alpha3 IS NOT NULL) AS map_is_successor
FROM countries AS c
LEFT JOIN country_codes AS sc ON sc.scheme = 'successor_of' AND sc.code = c.code
LEFT JOIN countries AS s ON s.id = sc.country_id
