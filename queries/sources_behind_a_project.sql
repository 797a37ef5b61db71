-- Question: which sources support what we know about one project, and with which words?
-- Views:    bi.fact_sources
-- Notes:    rows cite the project itself or one of its parts (its countries, organisations, links); replace
--           the project code to ask about another project.
SELECT
    record_type,
    field,
    source_kind,
    source_title,
    publisher,
    source_url,
    language,
    published_on,
    locator,
    quote
FROM bi.fact_sources
WHERE record_code = 'KZ-ZHANATAS-WIND'
  AND record_type IN ('project', 'project_country', 'project_organisation', 'project_link')
ORDER BY published_on, source_title, locator
