"""China's 34 provincial-level divisions as a tile grid: one square of the same size
each, placed by rough direction from its neighbours. A tile grid draws no border,
coastline or area, so it shows where speeches come from without claiming to be a map
of the territory, and every division is on it, 台湾省, 香港 and 澳门 included.

    province_map(counts, url_for) -> the tiles of templates/speeches/_province_map.html

`counts` maps a province's code to a number of speeches and `url_for(code)` gives the
address a tile links to: the regions page links to each province's page, and search
results could link to a filter the same way."""

import math
from functools import lru_cache

from speeches.extract.gazetteer import PROVINCE, package_places, short_names

# The grid, north at the top; "." is an empty cell. Each name is a division's short name.
GRID = """
.    .    .    .    .    .    黑龙江
.    .    .    内蒙古 北京 天津 吉林
新疆 甘肃 宁夏 山西 河北 山东 辽宁
西藏 青海 陕西 河南 安徽 江苏 上海
.    四川 重庆 湖北 江西 浙江 .
.    云南 贵州 湖南 福建 台湾 .
.    .    广西 广东 .    .    .
.    .    海南 澳门 香港 .    .
"""
EMPTY = "."

# SVG units: a tile, the gap between tiles, and the number of shades of tiles holding
# speeches (darker is more; shade 0 is a tile with none).
TILE, GAP = 80, 6
SHADES = 4


def grid_cells():
    """[(row, column, short name)] of the grid's tiles."""
    return [
        (row, column, name)
        for row, line in enumerate(GRID.strip("\n").splitlines())
        for column, name in enumerate(line.split())
        if name != EMPTY
    ]


@lru_cache(maxsize=1)
def provinces_by_short_name():
    """{short name: (code, full name)} of the gazetteer's provincial-level divisions."""
    provinces = {}
    for place in package_places():
        if place.level == PROVINCE:
            # A province's short name is its name without the suffix (北京市 → 北京).
            for short in short_names(place) or {place.name}:
                provinces[short] = (place.code, place.name)
    return provinces


def shade(count, largest):
    """0 for no speeches, else 1 … SHADES by the square root of the share of the
    largest count (so a few provinces with many speeches leave the others visible)."""
    if not count or not largest:
        return 0
    return max(1, math.ceil(SHADES * math.sqrt(count / largest)))


def province_map(counts, url_for):
    """The grid's tiles with `counts` (province code → speeches) and, for tiles holding
    any, the link `url_for(code)`; a tile without speeches is drawn but links nowhere."""
    provinces = provinces_by_short_name()
    largest = max(counts.values(), default=0)
    pitch = TILE + GAP
    tiles = []
    rows = columns = 0
    for row, column, short in grid_cells():
        code, name = provinces[short]
        count = counts.get(code, 0)
        x, y = column * pitch, row * pitch
        tiles.append({
            "code": code,
            "name": name,
            "short_name": short,
            "count": count,
            "shade": shade(count, largest),
            "url": url_for(code) if count else None,
            "x": x,
            "y": y,
            # The two lines of text, centred: the name above the count.
            "text_x": x + TILE // 2,
            "name_y": y + round(TILE * 0.45),
            "count_y": y + round(TILE * 0.78),
        })
        rows, columns = max(rows, row + 1), max(columns, column + 1)
    return {
        "tiles": tiles,
        "width": columns * pitch - GAP,
        "height": rows * pitch - GAP,
        "tile_size": TILE,
    }
