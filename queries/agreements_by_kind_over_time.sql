-- Question: how many agreements of each kind were signed each year?
-- Views:    bi.agreements_with_parties
-- Notes:    the view has one row per party, so agreements are counted distinct. Agreements without a known
--           signing date are grouped under an empty year.
SELECT
    signed_year,
    kind,
    COUNT(DISTINCT agreement_code) AS agreements
FROM bi.agreements_with_parties
GROUP BY signed_year, kind
ORDER BY signed_year, kind
