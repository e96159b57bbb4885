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
# General purpose flag bit 11: the member's name is UTF-8 (zipfile decodes it as such).
_UTF8_NAME = 0x800


def member_name(info):
    """A member's name as its writer meant it: UTF-8 where the zip says so; otherwise the
    legacy name's bytes (which zipfile read as cp437), UTF-8 if they are, else GBK, as
    Chinese Windows tools write them."""
    if info.flag_bits & _UTF8_NAME:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


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
        name = PurePosixPath(member_name(info))
        if name.name.startswith(".") or "__MACOSX" in name.parts or name.suffix.lower() not in readable:
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise IngestError(f"{name} unpacks to {info.file_size} bytes; at most {MAX_MEMBER_BYTES}")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise IngestError(f"{name} is compressed {info.file_size // info.compress_size}× (a zip bomb?)")
        wanted.append((str(name), info))
    if not wanted:
        raise IngestError("the zip holds no importable file (.txt, .tsv, .html, .docx, .jsonl, .json, .csv)")
    for name, info in sorted(wanted, key=lambda pair: pair[0]):
        # Read no more than declared: a forged size in the header cannot blow up memory.
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise IngestError(f"{name} holds more data than its header says")
        yield name, data
