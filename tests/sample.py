"""A small hand-made building (two rooms, a door, two windows) for exporter tests."""

from __future__ import annotations

from plan2bim.model import Building, Opening, Scale, Space, Storey, Wall, stable_guid

H = "0" * 64
S = 100.0  # px per metre
IMG_W, IMG_H = 1000, 700


def _px(x: float, y: float) -> tuple[float, float]:
    return (x * S + 50, IMG_H - (y * S + 50))


def _wall(k: int, i: int, a, b, t: float, ext: bool) -> Wall:
    from shapely.geometry import LineString

    poly = LineString([_px(*a), _px(*b)]).buffer(t * S / 2, cap_style="square")
    ring = [tuple(p) for p in poly.exterior.coords[:-1]]
    return Wall(
        id=f"W{i}", start=(a[0] + 0.5, a[1] + 0.5), end=(b[0] + 0.5, b[1] + 0.5), thickness=t,
        height=2.7, is_external=ext, global_id=stable_guid(H, f"S{k}/W{i}"), footprint_px=[[ring]],
    )


def sample_building(storeys: int = 1) -> Building:
    out = []
    for k in range(storeys):
        walls = [
            _wall(k, 1, (0, 0), (8, 0), 0.3, True),
            _wall(k, 2, (8, 0), (8, 5), 0.3, True),
            _wall(k, 3, (8, 5), (0, 5), 0.3, True),
            _wall(k, 4, (0, 5), (0, 0), 0.3, True),
            _wall(k, 5, (4, 0), (4, 5), 0.12, False),
        ]
        openings = [
            Opening(id="O1", kind="door", wall_id="W5", offset=2.5, width=0.9, height=2.1,
                    sill_height=0.0, center=(4.5, 3.0), center_px=_px(4, 2.5), width_px=90,
                    confidence=0.9, global_id=stable_guid(H, f"S{k}/O1"), swing="left"),
            Opening(id="O2", kind="window", wall_id="W1", offset=2.0, width=1.2, height=1.2,
                    sill_height=0.9, center=(2.5, 0.5), center_px=_px(2, 0), width_px=120,
                    confidence=0.8, global_id=stable_guid(H, f"S{k}/O2")),
            Opening(id="O3", kind="door", wall_id="W3", offset=2.0, width=1.0, height=2.1,
                    sill_height=0.0, center=(6.5, 5.5), center_px=_px(6, 5), width_px=100,
                    confidence=0.7, global_id=stable_guid(H, f"S{k}/O3"), swing="right"),
        ]
        spaces = [
            Space(id="R1", name="Room 1", polygon=[(0.65, 0.65), (4.44, 0.65), (4.44, 5.35), (0.65, 5.35)],
                  polygon_px=[_px(0.15, 0.15), _px(3.94, 0.15), _px(3.94, 4.85), _px(0.15, 4.85)],
                  area=3.79 * 4.7, global_id=stable_guid(H, f"S{k}/R1")),
            Space(id="R2", name="Room 2", polygon=[(4.56, 0.65), (8.35, 0.65), (8.35, 5.35), (4.56, 5.35)],
                  polygon_px=[_px(4.06, 0.15), _px(7.85, 0.15), _px(7.85, 4.85), _px(4.06, 4.85)],
                  area=3.79 * 4.7, global_id=stable_guid(H, f"S{k}/R2")),
        ]
        out.append(Storey(
            id=f"S{k + 1}", name=f"Storey {k + 1}", elevation=k * 2.9, height=2.7, walls=walls,
            openings=openings, spaces=spaces, slab=[(0.35, 0.35), (8.65, 0.35), (8.65, 5.65), (0.35, 5.65)],
            slab_thickness=0.2, scale=Scale(S, "user"), image_size=(IMG_W, IMG_H), page=k + 1,
            global_id=stable_guid(H, f"S{k + 1}"), slab_global_id=stable_guid(H, f"S{k + 1}/slab"),
        ))
    return Building(name="sample", source="sample.png", source_hash=H, storeys=out,
                    project_global_id=stable_guid(H, "project"), site_global_id=stable_guid(H, "site"),
                    building_global_id=stable_guid(H, "building"))
