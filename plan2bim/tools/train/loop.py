"""Training, validation and ONNX export of the plan segmentation network."""

from __future__ import annotations

import json
import logging
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset

from plan2bim.errors import Plan2BimError
from plan2bim.tools.train.data import list_pairs, load_pairs, random_sample
from plan2bim.tools.train.net import CLASSES, STRIDE, PlanUNet

log = logging.getLogger(__name__)

CLASS_WEIGHTS = (0.5, 1.0, 3.0, 3.0)
"""Cross-entropy weights: doors and windows cover few pixels, yet each one counts in the scores."""
VAL_FRACTION = 0.1
VAL_MAX_SIDE = 1536
ONNX_NAME = "plan_unet.onnx"
OPSET = 17


@dataclass
class TrainSettings:
    epochs: int = 30
    imgsz: int = 512
    """Side of the square training crops, pixels."""
    batch: int = 16
    steps_per_epoch: int = 100
    lr: float = 2e-3
    device: str = "cpu"
    workers: int = 0
    seed: int = 0


@dataclass
class TrainResult:
    onnx: Path
    checkpoint: Path
    val_iou: dict[str, float]
    settings: dict
    seconds: float
    train_plans: int
    val_plans: int
    history: list[dict] = field(default_factory=list)


class _Crops(Dataset):
    def __init__(self, pages, size: int, length: int, seed: int) -> None:
        self.pages, self.size, self.length, self.seed = pages, size, length, seed
        self.epoch = 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        rng = np.random.default_rng((self.seed, self.epoch, i))
        img, mask = self.pages[int(rng.integers(len(self.pages)))]
        x, y = random_sample(img, mask, self.size, rng)
        return torch.from_numpy(x)[None], torch.from_numpy(y)


def train(data: Path, out: Path, settings: TrainSettings | None = None) -> TrainResult:
    """Train on a synthetic set, keep the best epoch by validation IoU, export it to ONNX."""
    settings = settings or TrainSettings()
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(settings.seed)
    pairs = list_pairs(data)
    n_val = max(1, int(round(len(pairs) * VAL_FRACTION))) if len(pairs) > 1 else 0
    val_pages = load_pairs(pairs[:n_val])
    train_pages = load_pairs(pairs[n_val:]) or val_pages
    device = torch.device(settings.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise Plan2BimError("--device cuda, but torch sees no GPU")
    model = PlanUNet().to(device)
    crops = _Crops(train_pages, settings.imgsz, settings.steps_per_epoch * settings.batch, settings.seed)
    loader = DataLoader(crops, batch_size=settings.batch, shuffle=False, num_workers=settings.workers,
                        persistent_workers=False, pin_memory=device.type == "cuda", drop_last=True)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=1e-4)
    total = settings.epochs * len(loader)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=settings.lr, total_steps=max(total, 1),
                                                pct_start=0.1)
    weights = torch.tensor(CLASS_WEIGHTS, device=device)
    amp = device.type == "cuda"
    best, best_state, history = -1.0, None, []
    ckpt = out / "plan_unet.pt"
    for epoch in range(settings.epochs):
        crops.epoch = epoch
        model.train()
        losses = []
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                logits = model(x)
            loss = _loss(logits.float(), y, weights)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        iou = validate(model, val_pages or train_pages[:2], device)
        score = float(np.mean([iou[c] for c in CLASSES[1:]]))
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)) if losses else 0.0, **iou})
        log.info("epoch %d/%d loss %.4f val IoU %s", epoch + 1, settings.epochs,
                 history[-1]["loss"], {k: round(v, 3) for k, v in iou.items()})
        if score > best:
            best = score
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    torch.save(best_state, ckpt)
    onnx_path = export_onnx(model, out / ONNX_NAME)
    best_iou = max(history, key=lambda h: np.mean([h[c] for c in CLASSES[1:]]))
    result = TrainResult(onnx=onnx_path, checkpoint=ckpt,
                         val_iou={c: best_iou[c] for c in CLASSES}, settings=asdict(settings),
                         seconds=time.perf_counter() - t0, train_plans=len(train_pages),
                         val_plans=len(val_pages), history=history)
    (out / "train_report.json").write_text(json.dumps(
        {**asdict(result), "onnx": str(onnx_path), "checkpoint": str(ckpt), "commit": _commit()},
        indent=2))
    return result


def _loss(logits: torch.Tensor, y: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted cross-entropy plus soft Dice on the three object classes.

    Dice keeps the rare door and window pixels from being outvoted by the paper.
    """
    ce = F.cross_entropy(logits, y, weight=weights)
    p = logits.softmax(1)[:, 1:]
    t = F.one_hot(y, len(CLASSES)).permute(0, 3, 1, 2)[:, 1:].float()
    inter = (p * t).sum((0, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((0, 2, 3)) + t.sum((0, 2, 3)) + 1)
    return ce + dice.mean()


@torch.no_grad()
def validate(model: PlanUNet, pages, device: torch.device) -> dict[str, float]:
    """Pixel IoU per class over whole validation pages (no augmentation)."""
    model.eval()
    inter = np.zeros(len(CLASSES))
    union = np.zeros(len(CLASSES))
    for img, mask in pages:
        f = min(1.0, VAL_MAX_SIDE / max(img.shape))
        if f < 1:
            img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
            mask = cv2.resize(mask, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_NEAREST)
        pred = predict_classes(model, img, device)
        for c in range(len(CLASSES)):
            a, b = pred == c, mask == c
            inter[c] += np.logical_and(a, b).sum()
            union[c] += np.logical_or(a, b).sum()
    return {c: float(inter[i] / union[i]) if union[i] else 1.0 for i, c in enumerate(CLASSES)}


def predict_classes(model: PlanUNet, gray: np.ndarray, device: torch.device) -> np.ndarray:
    h, w = gray.shape
    ph, pw = -h % STRIDE, -w % STRIDE
    x = cv2.copyMakeBorder(gray, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=255)
    t = torch.from_numpy(x.astype(np.float32) / 255.0)[None, None].to(device)
    return model(t)[0, :, :h, :w].argmax(0).cpu().numpy()


def export_onnx(model: PlanUNet, path: Path) -> Path:
    """Export with free height and width; the graph ends in a softmax (class probabilities)."""
    model = model.float().cpu().eval()

    class _Probs(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            return self.m(x).softmax(1)

    dummy = torch.ones(1, 1, 2 * STRIDE, 3 * STRIDE)
    torch.onnx.export(_Probs(model), (dummy,), str(path), input_names=["image"], output_names=["probs"],
                      dynamic_axes={"image": {2: "height", 3: "width"}, "probs": {2: "height", 3: "width"}},
                      opset_version=OPSET, dynamo=False)
    return path


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
