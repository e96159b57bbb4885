"""Who, where, what: regions, officials, topics, keywords and dates found in a speech.

Pure functions over text (extract_regions, extract_officials, assign_topics,
extract_keywords, extract_dates) and one writer, annotate_speech(speech), that stores
their results for a saved speech."""
