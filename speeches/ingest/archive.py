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
        raise IngestError(f"不是可读取的 zip 压缩包：{exc}") from exc
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise IngestError(f"压缩包里有 {len(infos)} 个文件，最多接受 {MAX_MEMBERS} 个")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise IngestError(f"压缩包解压后有 {total} 字节，最多接受 {MAX_TOTAL_BYTES} 字节")
    wanted = []
    for info in infos:
        name = PurePosixPath(member_name(info))
        if name.name.startswith(".") or "__MACOSX" in name.parts or name.suffix.lower() not in readable:
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise IngestError(f"{name} 解压后有 {info.file_size} 字节，最多 {MAX_MEMBER_BYTES} 字节")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise IngestError(f"{name} 的压缩比为 {info.file_size // info.compress_size} 倍（疑似压缩炸弹）")
        wanted.append((str(name), info))
    if not wanted:
        raise IngestError("压缩包里没有可导入的文件（.txt、.tsv、.html、.docx、.jsonl、.json、.csv）")
    for name, info in sorted(wanted, key=lambda pair: pair[0]):
        # Read no more than declared: a forged size in the header cannot blow up memory.
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise IngestError(f"{name} 的实际数据比文件头所写的多")
        yield name, data
