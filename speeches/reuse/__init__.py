"""Shared passages: text two or more speeches share, near-identical (MinHash + LSH over
character shingles, then exact alignment), and its display.

    find_shared_passages(speech_ids=None, progress=None)  whole archive, or changed speeches
    process_queue(progress=None)      apply PendingPassageUpdate (manage.py find_shared_passages --pending)
    speech_passages(speech)           a speech's shared passages with the other speeches holding them
    compare(a, b)                     two speeches' texts aligned side by side
"""
