-- Question: which countries, forums, projects and agreements do the news articles name, and how often?
-- Views:    bi.entity_mentions
-- Notes:    one row per article and entity; first_sentence shows the context of the first mention.
SELECT
    source_title,
    published_on,
    language,
    entity_type,
    entity_code,
    entity_name,
    mention_count,
    first_matched_text,
    first_sentence
FROM bi.entity_mentions
ORDER BY published_on DESC, source_title, mention_count DESC, entity_type, entity_code
