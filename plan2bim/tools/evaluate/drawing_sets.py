"""``plan2bim eval`` on drawing sets: storeys from the right pages, printed scale, room names.

A drawing-sets folder holds PDFs and a ``labels.json``: per file, ``storeys`` (pages that must
become storeys), ``may`` (pages that may: the ground level of a building on stilts), ``scale``
(the printed 1:N of the plan pages) and ``names`` (room names printed on a page).

Figures, pooled over the sets:
- page precision: storeys made from a page in ``storeys`` + ``may``, over all storeys made;
- page recall: pages in ``storeys`` that became a storey, over those pages;
- scale within 5%: plan pages whose storey's px/m is within 5% of the printed scale's (page
  pixels per metre on paper / N), over the ``storeys`` pages and the ``may`` pages converted;
- room-name recall: names in ``names`` found in the names of that page's spaces.

With ``rasterise_dpi``, every page is first rendered to a PNG that carries no dpi, and each PNG
is converted on its own: the path a scanned set takes.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from plan2bim.config import Config
from plan2bim.errors import InputError, Plan2BimError

log = logging.getLogger(__name__)

LABELS = "labels.json"


def is_drawing_sets(folder: Path) -> bool:
    """Whether ``folder`` holds drawing sets: a labels.json naming PDFs beside it."""
    p = Path(folder) / LABELS
    if not p.is_file():
        return False
    try:
        labels = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(k.lower().endswith(".pdf") and (Path(folder) / k).is_file() for k in labels)


def _storeys_by_page(path: Path, config: Config, rasterise_dpi: int | None, n_pages: int,
                     tmp: Path) -> tuple[list[tuple[int, Any]], float, str | None]:
    """(page, storey) for every storey made from the set, the seconds spent, and an error."""
    from plan2bim.pipeline import build_model

    t0 = time.perf_counter()
    out: list[tuple[int, Any]] = []
    try:
        if rasterise_dpi is None:
            b = build_model(path, config).building
            out = [(s.page, s) for s in b.storeys]
        else:
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(path))
            try:
                for i in range(len(pdf)):
                    png = tmp / f"{path.stem}-p{i + 1}.png"
                    # No dpi stored: the scale must come from the drawing itself.
                    pdf[i].render(scale=rasterise_dpi / 72).to_pil().convert("RGB").save(png)
                    try:
                        b = build_model(png, config).building
                    except Plan2BimError:
                        continue  # a page with no floor plan: no storey
                    out += [(i + 1, s) for s in b.storeys]
            finally:
                pdf.close()
    except Plan2BimError as e:
        return out, time.perf_counter() - t0, str(e)
    return out, time.perf_counter() - t0, None


def evaluate_drawing_sets(folder: Path, config: Config = Config(), *,
                          rasterise_dpi: int | None = None, limit: int | None = None
                          ) -> dict[str, Any]:
    """Convert every set in ``folder`` and score it against ``labels.json`` (see module doc)."""
    folder = Path(folder)
    try:
        labels = json.loads((folder / LABELS).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{folder / LABELS}: cannot be read ({e})") from None
    names = sorted(k for k in labels if k.lower().endswith(".pdf") and (folder / k).is_file())
    if limit:
        names = names[:limit]
    dpi = rasterise_dpi or config.pdf_dpi
    made = right = required = found_required = 0
    plan_pages = scale_ok = 0
    names_total = names_found = 0
    per_set = []
    with tempfile.TemporaryDirectory(prefix="plan2bim-sets-") as tmpd:
        for name in names:
            lab = labels[name]
            need = set(lab.get("storeys", []))
            may = set(lab.get("may", []))
            n = float(lab.get("scale") or 0) or None
            storeys, secs, error = _storeys_by_page(folder / name, replace(config, pages=None),
                                                    rasterise_dpi, len(lab.get("kinds", [])),
                                                    Path(tmpd))
            pages = [p for p, _ in storeys]
            made += len(pages)
            right += sum(p in need | may for p in pages)
            required += len(need)
            found_required += len(need & set(pages))
            scales = {}
            for p in sorted(need | may):
                got = [s.scale.px_per_m for q, s in storeys if q == p]
                if p in may and not got:
                    continue  # a page that may stay out and did: no scale to score
                plan_pages += 1
                want = dpi / 0.0254 / n if n else None
                ok = bool(want and got and abs(got[0] / want - 1) <= 0.05)
                scale_ok += ok
                scales[str(p)] = {"px_per_m": round(got[0], 2) if got else None,
                                  "printed_px_per_m": round(want, 2) if want else None,
                                  "method": next((s.scale.method for q, s in storeys if q == p), None),
                                  "within_5pct": ok}
            missing = []
            for p, room_names in lab.get("names", {}).items():
                have = " | ".join(sp.name.upper() for q, s in storeys if q == int(p) for sp in s.spaces)
                for rn in room_names:
                    names_total += 1
                    if rn.upper() in have:
                        names_found += 1
                    else:
                        missing.append(rn)
            per_set.append({
                "set": name, "storey_pages": pages,
                "storey_names": [s.name for _, s in storeys], "scales": scales,
                "names_missing": missing, "seconds": round(secs, 2), "error": error,
            })
    return {
        "sets": len(names),
        "rasterised_dpi": rasterise_dpi,
        "storeys": made,
        "page_precision": right / made if made else 0.0,
        "page_recall": found_required / required if required else 1.0,
        "scale_within_5pct": scale_ok / plan_pages if plan_pages else 0.0,
        "room_name_recall": names_found / names_total if names_total else 1.0,
        "per_set": per_set,
    }
