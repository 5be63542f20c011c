#!/usr/bin/env python3
"""A real (tiny) torch training loop that checkpoints the way PyTorch Lightning's
ModelCheckpoint does (save_top_k=2 on val_loss, save_last=True): torch.save into a file
object in the system temp folder, os.replace() onto "epoch=E-step=S-val_loss=V.ckpt",
the worst of three removed, then last.ckpt the same way. Prints one JSON line per epoch
like frameworks.py.

    torch_loop.py DIR --epochs 4 --tmpdir TMP [--pause S]
"""
import argparse
import io
import os
import sys
import time

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frameworks import atomic_save, lightning_validation_end, report  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps per epoch")
    parser.add_argument("--tmpdir", required=True)
    parser.add_argument("--pause", type=float, default=1.0)
    args = parser.parse_args()
    torch.manual_seed(7)
    ckpt_dir = os.path.join(args.dir, "lightning_logs", "version_0", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(256, 16), torch.randn(256, 1)
    x_val, y_val = torch.randn(64, 16), torch.randn(64, 1)
    top_k, step = {}, 0
    for epoch in range(args.epochs):
        for _ in range(args.steps):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            step += 1
        with torch.no_grad():
            val_loss = round(torch.nn.functional.mse_loss(model(x_val), y_val).item(), 4)

        def save(target, last_model_path):
            checkpoint = {"epoch": epoch, "global_step": step, "state_dict": model.state_dict(),
                          "optimizer_states": [optimizer.state_dict()],
                          "callbacks": {"ModelCheckpoint": {"last_model_path": last_model_path,
                                                            "best_k_models": dict(top_k)}}}
            buffer = io.BytesIO()
            torch.save(checkpoint, buffer)
            atomic_save(buffer.getvalue(), target, args.tmpdir)

        name, files = lightning_validation_end(
            ckpt_dir, top_k, f"epoch={epoch}-step={step}-val_loss={val_loss:.4f}.ckpt",
            val_loss, save)
        report(args.dir, name, step, val_loss, files)
        time.sleep(args.pause)


if __name__ == "__main__":
    main()
