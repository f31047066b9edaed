"""``plan2bim train``: train the learned detector on synthetic plans and export it to ONNX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plan2bim.cli._app import app, console, user_errors


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the ONNX model, checkpoint and report.",
                                      file_okay=False)] = ...,  # type: ignore[assignment]
    data: Annotated[Path | None, typer.Option(
        "--data", file_okay=False, exists=True,
        help="A `plan2bim synth` folder (images/, masks/). Default: generate one under OUT/data.",
        show_default=False)] = None,
    plans: Annotated[int, typer.Option("--plans", min=2, help="Plans to generate when --data is not given.")] = 400,
    epochs: Annotated[int, typer.Option("--epochs", min=1)] = 30,
    imgsz: Annotated[int, typer.Option("--imgsz", min=32, help="Side of the square training crops, px.")] = 512,
    batch: Annotated[int, typer.Option("--batch", min=1)] = 16,
    steps: Annotated[int, typer.Option("--steps", min=1, help="Optimizer steps per epoch.")] = 100,
    device: Annotated[str, typer.Option("--device", help="cpu or cuda.")] = "cpu",
    workers: Annotated[int, typer.Option("--workers", "-j", min=0, help="Data loader processes.")] = 0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Train the wall/door/window segmentation network (needs the `train` extra: torch, onnx).

    Only synthetic plans are used: the real dev sets' licences do not allow training on them.
    Copy OUT/plan_unet.onnx to plan2bim/weights/ to ship it.
    """
    with user_errors():
        from plan2bim.tools.train import TrainSettings, make_dataset, train_model

        if data is None:
            data = make_dataset(out / "data", plans, seed=seed)
        settings = TrainSettings(epochs=epochs, imgsz=imgsz, batch=batch, steps_per_epoch=steps,
                                 device=device, workers=workers, seed=seed)
        result = train_model(data, out, settings)
    iou = ", ".join(f"{k} {v:.3f}" for k, v in result.val_iou.items())
    console.print(f"{result.onnx} ({result.train_plans} train / {result.val_plans} val plans, "
                  f"{result.seconds:.0f} s); validation IoU: {iou}")
