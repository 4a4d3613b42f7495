#!/usr/bin/env python3
"""Writes services/web-gateway/world_outline.cc: the land outline of the /maps page.

Input: land-110m.json (TopoJSON) from the npm package world-atlas 2.x, which is Natural Earth's
1:110m land (public domain). Output: one SVG path in the map's equirectangular frame
(720 x 360, x = (lon + 180) * 2, y = (90 - lat) * 2), rounded to half pixels, without tiny
islands. Rings that cross the antimeridian are drawn without a stroke across the whole map (see
fix_antimeridian). Usage:
  gen_world_outline.py land-110m.json > services/web-gateway/world_outline.cc
  gen_world_outline.py --from-cc services/web-gateway/world_outline.cc > new.cc  (re-emit the
      current outline through fix_antimeridian, without the TopoJSON)
"""
import json
import re
import sys

WIDTH, HEIGHT = 720, 360


def arcs_of(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def ring(arcs, indexes):
    pts = []
    for i in indexes:
        a = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(a if not pts else a[1:])
    return pts


def project(lon, lat):
    return (round((lon + 180) * 4) / 2, round((90 - lat) * 4) / 2)


def area(pts):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]))) / 2


def simplify(pts, tol):
    """Douglas-Peucker on a closed ring (first point kept)."""
    if len(pts) < 4:
        return pts
    def dp(seg):
        if len(seg) < 3:
            return seg
        (x0, y0), (x1, y1) = seg[0], seg[-1]
        dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1, 0
        for i in range(1, len(seg) - 1):
            x, y = seg[i]
            d = abs(dy * (x - x0) - dx * (y - y0)) / norm if norm else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5
            if d > best:
                best, idx = d, i
        if best <= tol:
            return [seg[0], seg[-1]]
        return dp(seg[:idx + 1])[:-1] + dp(seg[idx:])
    far = max(range(len(pts)), key=lambda i: (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2)
    return dp(pts[:far + 1])[:-1] + dp(pts[far:] + [pts[0]])[:-1]


def fmt(v):
    return str(int(v)) if v == int(v) else str(v)


def fix_antimeridian(pts):
    """A ring that crosses the antimeridian jumps across the whole map between two points, which
    draws a line from one edge to the other. Such a ring is unwrapped (made continuous past an
    edge) and drawn twice, one map width apart; the SVG viewport clips each copy. A ring around
    a pole crosses once (Antarctica): it is closed along the map edge at the pole instead."""
    n = len(pts)
    def jump(a, b):  # a segment across the map, other than along a pole's edge
        return abs(b[0] - a[0]) > WIDTH / 2 and not (a[1] == b[1] and a[1] in (0, HEIGHT))
    jumps = [i for i in range(n) if jump(pts[i], pts[(i + 1) % n])]
    if not jumps:
        return [pts]
    if len(jumps) % 2 == 1:
        i = jumps[0]
        ring = pts[i + 1:] + pts[:i + 1]  # starts after the jump, ends before it
        pole = HEIGHT if sum(y for _, y in ring) / len(ring) > HEIGHT / 2 else 0
        (xs, ys), (xe, ye) = ring[0], ring[-1]
        edge_s = WIDTH if xs > WIDTH / 2 else 0
        edge_e = WIDTH if xe > WIDTH / 2 else 0
        return [ring + [(edge_e, ye), (edge_e, pole), (edge_s, pole), (edge_s, ys)]]
    out, offset, prev = [], 0, pts[0][0]
    for x, y in pts:
        if x - prev > WIDTH / 2:
            offset -= WIDTH
        elif prev - x > WIDTH / 2:
            offset += WIDTH
        prev = x
        out.append((x + offset, y))
    rings = [out]
    if min(x for x, _ in out) < 0:
        rings.append([(x + WIDTH, y) for x, y in out])
    if max(x for x, _ in out) > WIDTH:
        rings.append([(x - WIDTH, y) for x, y in out])
    return rings


def ring_path(pts):
    # Relative moves keep the text short.
    d = "M" + fmt(pts[0][0]) + " " + fmt(pts[0][1]) + "l"
    steps = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        dx, dy = x1 - x0, y1 - y0
        steps.append(fmt(dx) + ("" if dy < 0 else " ") + fmt(dy))
    return d + " ".join(steps).replace(" -", "-") + "z"


def rings_from_topojson(filename):
    topo = json.load(open(filename))
    arcs = arcs_of(topo)
    rings = []
    for geom in topo["objects"]["land"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for poly in polys:
            for rindex in poly:
                pts = []
                for lon, lat in ring(arcs, rindex):
                    p = project(lon, lat)
                    if not pts or p != pts[-1]:
                        pts.append(p)
                if len(pts) > 2 and pts[0] == pts[-1]:
                    pts.pop()
                pts = simplify(pts, 0.6)
                if len(pts) < 3 or area(pts) < 2:
                    continue
                rings.append(pts)
    return rings


def rings_from_cc(filename):
    """The rings of a world_outline.cc written by this script."""
    text = open(filename).read().split("kPath[] =")[1]
    path = "".join(re.findall(r'"([^"]*)"', text))
    rings = []
    for sub in path.split("z"):
        if not sub:
            continue
        m = re.match(r"M([-\d.]+) ([-\d.]+)l(.*)", sub)
        x, y = float(m.group(1)), float(m.group(2))
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", m.group(3))]
        pts = [(x, y)]
        for i in range(0, len(nums), 2):
            x += nums[i]
            y += nums[i + 1]
            pts.append((x, y))
        rings.append(pts)
    return rings


def main():
    if sys.argv[1] == "--from-cc":
        rings = rings_from_cc(sys.argv[2])
    else:
        rings = rings_from_topojson(sys.argv[1])
    parts = [ring_path(r) for pts in rings for r in fix_antimeridian(pts)]
    path = "".join(parts)
    print("// Generated by tools/gen-world-outline/gen_world_outline.py from Natural Earth 1:110m land")
    print("// (public domain, via the world-atlas npm package). Do not edit.")
    print('#include "services/web-gateway/charts.h"\n')
    print("namespace mm::web {\n")
    print("const char* WorldOutlinePath() {")
    print("  static constexpr char kPath[] =")
    for i in range(0, len(path), 96):
        print('      "' + path[i:i + 96] + '"')
    print("      ;")
    print("  return kPath;")
    print("}\n")
    print("}  // namespace mm::web")


if __name__ == "__main__":
    main()
