"""What curators do in the admin, as plain functions (the speeches.admin package stays thin):

    history   ensure_baseline, assignment_changes, revert_assignment
    locks     lock_hand_edits: fields set by hand survive re-import and re-extraction
    status    publish, withdraw, reextract, reindex
    merge     merge_duplicates: copies redirect to the kept speech and leave search
    split     split_speech: a wrongly joined speech becomes two
    review    the review queue's fixes and curators' decisions on extracted values
    upload    queue_import: files and zips from the admin's import form, imported as a job
    health    search_health, query statistics, add_dictionary_term
"""
