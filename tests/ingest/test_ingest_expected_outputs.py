"""Each sample input under tests/fixtures/ingest/ is parsed and compared with its stored
expected output (NAME.expected.json). After an intended change of the importer,
regenerate them with:  REGENERATE_EXPECTED=1 .venv/bin/pytest tests/ingest/test_ingest_expected_outputs.py
and read the diff before committing it."""

import json
import os

import pytest

from speeches.ingest.pipeline import READERS
from tests.conftest import FIXTURES_DIR

SAMPLES = sorted(
    p
    for p in (FIXTURES_DIR / "ingest").iterdir()
    if p.suffix in READERS and not p.name.endswith(".expected.json") and not p.stem.startswith("no_")
)


def parsed_as_dict(path):
    doc, encoding = READERS[path.suffix](path.read_bytes(), str(path), None)
    return {
        "encoding": encoding,
        "title": doc.title,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
        "author": doc.author,
        "intro": doc.intro,
        "debris": doc.debris,
        "furniture": doc.furniture,
        "duplicates_merged": doc.duplicates_merged,
        "warnings": doc.warnings,
        "speeches": [
            {
                "title": s.title,
                "kind": s.kind,
                "position": s.position,
                "copies": s.copies,
                "source_year": s.source_year,
                "source_date": s.source_date.isoformat() if s.source_date else None,
                "url": s.url,
                "speaker": [s.speaker_title, s.speaker_name],
                "meeting": s.meeting,
                "delegated_by": s.delegated_by,
                "notes_start": s.notes_start,
                "paragraphs": s.body.split("\n"),
                "sections": [[x.number, x.heading, x.level, x.start, x.end] for x in s.sections],
                "repairs": s.repairs,
            }
            for s in doc.speeches
        ],
    }


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_input_parses_to_its_expected_output(sample):
    expected_path = sample.with_suffix(".expected.json")
    actual = parsed_as_dict(sample)
    if os.environ.get("REGENERATE_EXPECTED"):
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n")
    assert expected_path.exists(), f"no expected output for {sample.name}: run with REGENERATE_EXPECTED=1"
    assert actual == json.loads(expected_path.read_text())
