-- Question: which forums do China and Kazakhstan both belong to, and since when?
-- Views:    bi.membership_spans
-- Notes:    any role counts (member, founding member, observer, partner country, ...); "both_since" is the
--           later of the two first starts. Change the two alpha-3 codes to ask about another pair.
SELECT
    a.forum_code,
    a.forum_name,
    a.forum_kind,
    MIN(a.started_on) AS china_since,
    MIN(b.started_on) AS kazakhstan_since,
    CASE WHEN MIN(a.started_year) >= MIN(b.started_year) THEN MIN(a.started_year)
         ELSE MIN(b.started_year) END AS both_since_year
FROM bi.membership_spans AS a
JOIN bi.membership_spans AS b ON b.forum_code = a.forum_code
WHERE a.country_alpha3 = 'CHN'
  AND b.country_alpha3 = 'KAZ'
GROUP BY a.forum_code, a.forum_name, a.forum_kind
ORDER BY both_since_year, a.forum_code
