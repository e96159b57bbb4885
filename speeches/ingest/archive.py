"""Members of an uploaded zip, read with limits so a zip bomb cannot exhaust the machine."""

import io
import zipfile
from pathlib import PurePosixPath

from speeches.ingest.errors import IngestError

ZIP_SUFFIXES = {".zip"}
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 60 * 1024 * 1024
MAX_TOTAL_BYTES = 400 * 1024 * 1024
# Real text compresses about 3-10×; far beyond that is a bomb.
MAX_RATIO = 200


def zip_members(raw, readable):
    """Yield (member name, bytes) for the importable members of a zip archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise IngestError(f"not a readable zip archive: {exc}") from exc
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise IngestError(f"the zip holds {len(infos)} files; at most {MAX_MEMBERS} are accepted")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise IngestError(f"the zip unpacks to {total} bytes; at most {MAX_TOTAL_BYTES} are accepted")
    wanted = []
    for info in infos:
        name = PurePosixPath(info.filename)
        if name.name.startswith(".") or "__MACOSX" in name.parts or name.suffix.lower() not in readable:
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise IngestError(f"{info.filename} unpacks to {info.file_size} bytes; at most {MAX_MEMBER_BYTES}")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise IngestError(f"{info.filename} is compressed {info.file_size // info.compress_size}× (a zip bomb?)")
        wanted.append(info)
    if not wanted:
        raise IngestError("the zip holds no importable file (.txt, .html, .docx, .jsonl, .json, .csv)")
    for info in sorted(wanted, key=lambda i: i.filename):
        # Read no more than declared: a forged size in the header cannot blow up memory.
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise IngestError(f"{info.filename} holds more data than its header says")
        yield info.filename, data
