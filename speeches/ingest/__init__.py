"""From raw files to speeches: pure functions over text (decode, page, repair, dedupe,
sections) and one pipeline (pipeline.py) that writes each file in one transaction."""
