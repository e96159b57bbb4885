"""How well import and extraction do on the shared gold files (`manage.py evaluate_extraction`):
`gold` imports each corpus into the database and compares with its gold, `ner` runs the official
finder over CLUENER's sentences. Kept apart from speeches.extract, whose modules are pure."""
