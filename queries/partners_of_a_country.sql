-- Question: who are China's partners, ranked by shared projects, agreements and forums, and since when?
-- Views:    bi.country_pairs
-- Notes:    every pair appears in both directions; replace 'CHN' with another alpha-3 code.
SELECT
    partner_name,
    partner_alpha2,
    partner_alpha3,
    shared_projects,
    shared_agreements,
    shared_forums,
    first_year,
    last_year
FROM bi.country_pairs
WHERE country_alpha3 = 'CHN'
ORDER BY shared_projects DESC, shared_agreements DESC, shared_forums DESC, partner_name
