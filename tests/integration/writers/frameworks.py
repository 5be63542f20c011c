#!/usr/bin/env python3
"""Writes checkpoints the way training frameworks write them, for the integration tests:
the same names, the same files, the same order of writes, renames and deletions, taken
from each framework's own saving code (cited per writer). The tensors are stand-ins of
the right container format (zip for torch.save, safetensors, HDF5 with its superblock),
so the daemon's structural checks see what they would see.

    frameworks.py FRAMEWORK DIR --checkpoints N [--pause S] [options]

Prints one JSON line per checkpoint written: {"name", "step", "metric", "files": {path:
sha256}} (paths relative to DIR), so that the test knows which bytes belong to which step.
"""
import argparse
import hashlib
import io
import json
import os
import pickle
import random
import shutil
import struct
import tempfile
import time
import zipfile


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def report(root, name, step, metric, paths):
    files = {os.path.relpath(p, root): sha256(p) for p in paths}
    print(json.dumps({"name": name, "step": step, "metric": metric, "files": files}), flush=True)


def torch_zip(payload, archive="archive"):
    """The layout of torch.save (serialization.py, _save): a zip whose records sit under
    one folder — "archive" when saving to a file object, as Lightning does — holding
    data.pkl, the tensor storages under data/, and version."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"{archive}/data.pkl", pickle.dumps(payload, protocol=2))
        z.writestr(f"{archive}/byteorder", "little")
        z.writestr(f"{archive}/data/0", os.urandom(4096))
        z.writestr(f"{archive}/version", "3\n")
    return buffer.getvalue()


def safetensors(seed):
    tensor = random.Random(seed).randbytes(8192)
    header = json.dumps({"weight": {"dtype": "F32", "shape": [2048], "data_offsets": [0, 8192]}})
    header += " " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header.encode() + tensor


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


# --- PyTorch Lightning: callbacks/model_checkpoint.py (ModelCheckpoint) ----------------
def atomic_save(data, path, tmpdir):
    """fabric's _atomic_save: torch.save into an fsspec transaction, i.e. a
    tempfile.mkstemp() file in the system temp folder, os.replace()d onto the name."""
    fd, tmp = tempfile.mkstemp(dir=tmpdir)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def lightning_validation_end(ckpt_dir, top_k, name, val_loss, save):
    """What ModelCheckpoint does on a validation end with monitor="val_loss" (mode min),
    save_top_k=2 and save_last=True: _save_topk_checkpoint (the new file saved, then the
    worst of three removed), then _save_last_checkpoint. save(target, last_model_path)
    writes one checkpoint: the callback state saved in each holds last_model_path, set to
    last.ckpt before the last save (so the very first pair differs). Returns the name of
    this epoch's checkpoint and the files that hold its weights: its own file, or
    last.ckpt alone when it was not in the top k."""
    path = os.path.join(ckpt_dir, name)
    last = os.path.join(ckpt_dir, "last.ckpt")
    last_model_path = last if os.path.exists(last) else ""
    worst = max(top_k, key=top_k.get) if len(top_k) == 2 else None
    written = []
    if worst is None or val_loss < top_k[worst]:
        top_k[path] = val_loss
        save(path, last_model_path)
        written.append(path)
        if worst is not None:
            del top_k[worst]
            os.remove(worst)
    save(last, last)
    return (name, written) if written else ("last.ckpt", [last])


def lightning(args):
    ckpt_dir = os.path.join(args.dir, "lightning_logs", "version_0", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    rng = random.Random(args.seed)
    top_k = {}
    for epoch in range(args.checkpoints):
        step = (epoch + 1) * 50
        val_loss = round(rng.uniform(0.2, 1.0), 2)
        weights = rng.randbytes(64)

        def save(target, last_model_path):
            payload = {"epoch": epoch, "global_step": step, "state_dict": weights,
                       "callbacks": {"ModelCheckpoint": {"last_model_path": last_model_path,
                                                         "best_k_models": dict(top_k)}}}
            atomic_save(torch_zip(payload), target, args.tmpdir)

        name, files = lightning_validation_end(
            ckpt_dir, top_k, f"epoch={epoch}-step={step}-val_loss={val_loss:.2f}.ckpt",
            val_loss, save)
        report(args.dir, name, step, val_loss, files)
        time.sleep(args.pause)


# --- Hugging Face transformers: Trainer._save_checkpoint / _rotate_checkpoints ----------
def huggingface(args):
    # save_model (model.safetensors, config.json, generation_config.json, training_args.bin),
    # optimizer.pt, scheduler.pt, rng_state.pth, then trainer_state.json, written last;
    # 4.35-4.36 wrote all of it into tmp-checkpoint-N/ and renamed it to checkpoint-N/.
    # Then _rotate_checkpoints: save_total_limit=2, oldest first, the best one kept.
    out = os.path.join(args.dir, "out")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(args.seed)
    log_history = []
    best = None
    kept = []
    for i in range(args.checkpoints):
        step = (i + 1) * 500
        eval_loss = round(rng.uniform(0.1, 1.0), 4)
        final = os.path.join(out, f"checkpoint-{step}")
        target = os.path.join(out, f"tmp-checkpoint-{step}") if args.staging else final
        os.makedirs(target, exist_ok=True)
        write_file(os.path.join(target, "model.safetensors"), safetensors(rng.random()))
        time.sleep(args.file_pause)  # a slow disk, or a large model: a quiet, unfinished folder
        write_file(os.path.join(target, "config.json"), json.dumps({"model_type": "bert"}).encode())
        write_file(os.path.join(target, "generation_config.json"), b"{}")
        write_file(os.path.join(target, "training_args.bin"), torch_zip({"lr": 1e-4}, "training_args"))
        write_file(os.path.join(target, "optimizer.pt"), torch_zip({"step": step}, "optimizer"))
        write_file(os.path.join(target, "scheduler.pt"), torch_zip({"last_epoch": step}, "scheduler"))
        write_file(os.path.join(target, "rng_state.pth"), torch_zip({"seed": i}, "rng_state"))
        time.sleep(args.file_pause)
        log_history.append({"loss": round(rng.uniform(0.5, 2.0), 4), "learning_rate": 1e-4,
                            "epoch": i + 1.0, "step": step})
        log_history.append({"eval_loss": eval_loss, "eval_runtime": 1.5, "epoch": i + 1.0,
                            "step": step})
        if best is None or eval_loss < best[1]:
            best = (final, eval_loss)
        state = {"best_metric": best[1], "best_model_checkpoint": best[0], "epoch": i + 1.0,
                 "global_step": step, "log_history": log_history}
        with open(os.path.join(target, "trainer_state.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(state, indent=2, sort_keys=True) + "\n")
        if args.staging:
            os.rename(target, final)
        report(args.dir, f"checkpoint-{step}", step, eval_loss,
               [os.path.join(final, n) for n in sorted(os.listdir(final))])
        kept.append(final)
        while len(kept) > 2:
            victim = next(k for k in kept if k != best[0])
            kept.remove(victim)
            shutil.rmtree(victim)
        time.sleep(args.pause)


# --- Stable-Baselines3: callbacks.CheckpointCallback ------------------------------------
def sb3(args):
    # model.save(f"{prefix}_{num_timesteps}_steps.zip"): save_util.save_to_zip_file writes
    # the zip straight into that path (data, pytorch_variables.pth, policy.pth,
    # policy.optimizer.pth, _stable_baselines3_version, system_info.txt), then the replay
    # buffer and the VecNormalize statistics as pickles. The evaluation (EvalCallback)
    # runs after the checkpoint and writes its result, here to eval.json: save, then
    # evaluate.
    logs = os.path.join(args.dir, "logs")
    os.makedirs(logs, exist_ok=True)
    rng = random.Random(args.seed)
    for i in range(args.checkpoints):
        steps = (i + 1) * 10000
        path = os.path.join(logs, f"rl_model_{steps}_steps.zip")
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("data", json.dumps({"num_timesteps": steps}))
            archive.writestr("pytorch_variables.pth", torch_zip({}, "pytorch_variables"))
            archive.writestr("policy.pth", torch_zip({"w": rng.randbytes(64)}, "policy"))
            archive.writestr("policy.optimizer.pth", torch_zip({"s": steps}, "policy.optimizer"))
            archive.writestr("_stable_baselines3_version", "2.3.2")
            archive.writestr("system_info.txt", "- OS: Linux")
        buffer = os.path.join(logs, f"rl_model_replay_buffer_{steps}_steps.pkl")
        with open(buffer, "wb") as f:
            pickle.dump({"observations": rng.randbytes(20000)}, f, protocol=pickle.HIGHEST_PROTOCOL)
        vecnormalize = os.path.join(logs, f"rl_model_vecnormalize_{steps}_steps.pkl")
        with open(vecnormalize, "wb") as f:
            pickle.dump({"obs_rms": [1.0, 2.0]}, f, protocol=pickle.HIGHEST_PROTOCOL)
        reward = round(rng.uniform(0, 500), 1)
        time.sleep(args.metrics_after)
        write_file(os.path.join(logs, "eval.json"),
                   json.dumps({"timesteps": steps, "mean_reward": reward}).encode())
        report(args.dir, os.path.basename(path), steps, reward, [path, buffer, vecnormalize])
        time.sleep(args.pause)


# --- Keras: callbacks/model_checkpoint.py (ModelCheckpoint, .h5 through h5py) ------------
def hdf5(body):
    """An HDF5 file as h5py leaves it on close: a version-0 superblock whose end-of-file
    address is the file's size."""
    superblock = b"\x89HDF\r\n\x1a\n" + bytes([0, 0, 0, 0, 0, 8, 8, 0]) + bytes(8)
    end = 96 + len(body)
    superblock += struct.pack("<QQQQ", 0, 2**64 - 1, end, 2**64 - 1)
    superblock += bytes(96 - len(superblock))
    return superblock + body


def keras(args):
    # filepath "model.{epoch:02d}-{val_loss:.2f}.h5", epoch counted from 1; save_best_only
    # off: every epoch. h5py creates the file, writes datasets in place and rewrites the
    # superblock when it closes it: one open, many writes, one close.
    ckpt = os.path.join(args.dir, "ckpt")
    os.makedirs(ckpt, exist_ok=True)
    rng = random.Random(args.seed)
    for epoch in range(1, args.checkpoints + 1):
        val_loss = round(rng.uniform(0.1, 1.0), 2)
        path = os.path.join(ckpt, f"model.{epoch:02d}-{val_loss:.2f}.h5")
        data = hdf5(rng.randbytes(50000))
        with open(path, "w+b") as f:
            f.write(data[:40] + struct.pack("<Q", 96) + data[48:96])  # superblock at creation
            for i in range(96, len(data), 8192):
                f.write(data[i:i + 8192])
                f.flush()
            f.seek(0)
            f.write(data[:96])
        report(args.dir, os.path.basename(path), epoch, val_loss, [path])
        time.sleep(args.pause)


# --- Orbax: CheckpointManager.save with AtomicRenameTemporaryPath ------------------------
def orbax(args):
    # atomicity.py: the step is written into "<step>.orbax-checkpoint-tmp-<time>/" with a
    # _CHECKPOINT_METADATA (init time; metrics given to save()), the item folder
    # ("default/": _METADATA, manifest.ocdbt, ocdbt.process_0/d/...), then finalize()
    # records commit_timestamp_nsecs and renames the folder to "<step>/". max_to_keep=2
    # removes the oldest step folder afterwards.
    # With --commit-file, CommitFileTemporaryPath (for file systems without atomic rename):
    # everything is written straight into "<step>/", and finalize() records
    # commit_timestamp_nsecs, then writes "commit_success.txt", last.
    root = os.path.join(args.dir, "ckpts")
    os.makedirs(root, exist_ok=True)
    rng = random.Random(args.seed)
    steps = []
    for i in range(args.checkpoints):
        step = (i + 1) * 1000
        loss = round(rng.uniform(0.1, 2.0), 3)
        final = os.path.join(root, str(step))
        tmp = final if args.commit_file else os.path.join(
            root, f"{step}.orbax-checkpoint-tmp-{time.time_ns()}")
        os.makedirs(os.path.join(tmp, "default", "ocdbt.process_0", "d"))
        # save(metrics=...) with a best_fn: the metrics are an item of their own,
        # "metrics/metrics" (JsonCheckpointHandler), never in _CHECKPOINT_METADATA.
        metadata = {"item_handlers": {"default": "StandardCheckpointHandler",
                                      "metrics": "JsonCheckpointHandler"},
                    "performance_metrics": {},
                    "init_timestamp_nsecs": time.time_ns(), "commit_timestamp_nsecs": None,
                    "custom_metadata": {}}
        write_file(os.path.join(tmp, "_CHECKPOINT_METADATA"), json.dumps(metadata).encode())
        write_file(os.path.join(tmp, "default", "_METADATA"), json.dumps({"tree_metadata": {}}).encode())
        os.makedirs(os.path.join(tmp, "metrics"))
        write_file(os.path.join(tmp, "metrics", "metrics"), json.dumps({"loss": loss}).encode())
        write_file(os.path.join(tmp, "default", "manifest.ocdbt"), rng.randbytes(300))
        for _ in range(2):  # the arrays, shard by shard
            write_file(os.path.join(tmp, "default", "ocdbt.process_0", "d",
                                    rng.randbytes(8).hex()), rng.randbytes(30000))
            time.sleep(args.file_pause)
        metadata["commit_timestamp_nsecs"] = time.time_ns()
        write_file(os.path.join(tmp, "_CHECKPOINT_METADATA"), json.dumps(metadata).encode())
        if args.commit_file:
            write_file(os.path.join(final, "commit_success.txt"),
                       f"Checkpoint commit was successful to {final}".encode())
        else:
            os.rename(tmp, final)
        paths = []
        for folder, _, names in os.walk(final):
            paths += [os.path.join(folder, n) for n in names]
        report(args.dir, str(step), step, loss, sorted(paths))
        steps.append(final)
        if len(steps) > 2:
            shutil.rmtree(steps.pop(0))
        time.sleep(args.pause)


# --- torch.distributed.checkpoint: FileSystemWriter ------------------------------------
def torch_dcp(args):
    # write_data: one "__<rank>_<n>.distcp" per rank, written by threads; finish(): the
    # coordinator pickles the Metadata into ".metadata.tmp" and renames it to ".metadata",
    # last. The job evaluates first and writes metrics.json before saving (evaluate, then
    # save: the README's order).
    root = os.path.join(args.dir, "run")
    os.makedirs(root, exist_ok=True)
    rng = random.Random(args.seed)
    for i in range(args.checkpoints):
        step = (i + 1) * 100
        accuracy = round(rng.uniform(0.5, 1.0), 3)
        write_file(os.path.join(root, "metrics.json"),
                   json.dumps({"step": step, "accuracy": accuracy}).encode())
        folder = os.path.join(root, f"step_{step}")
        os.makedirs(folder)
        for rank in range(2):
            with open(os.path.join(folder, f"__{rank}_0.distcp"), "wb") as f:
                for _ in range(4):
                    f.write(rng.randbytes(8192))
                    time.sleep(0.02)
        # finish(): the coordinator's .metadata, or without collectives each rank's
        # __<rank>.metadata, each through its .tmp name.
        for name in ([f"__{rank}.metadata" for rank in range(2)] if args.no_collectives
                     else [".metadata"]):
            tmp = os.path.join(folder, name + ".tmp")
            write_file(tmp, pickle.dumps({"state_dict_metadata": {"w": step}}, protocol=2))
            os.rename(tmp, os.path.join(folder, name))
            time.sleep(args.file_pause)
        report(args.dir, f"step_{step}", step, accuracy,
               [os.path.join(folder, n) for n in sorted(os.listdir(folder))])
        time.sleep(args.pause)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=["lightning", "huggingface", "sb3", "keras",
                                              "orbax", "torch-dcp"])
    parser.add_argument("dir")
    parser.add_argument("--checkpoints", type=int, default=4)
    parser.add_argument("--pause", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--staging", action="store_true", help="HF: tmp-checkpoint-N, renamed")
    parser.add_argument("--tmpdir", default=None, help="Lightning: the system temp folder")
    parser.add_argument("--file-pause", type=float, default=0.0,
                        help="HF, Orbax: seconds of quiet between the files of a checkpoint")
    parser.add_argument("--no-collectives", action="store_true",
                        help="DCP: use_collectives=False, one __<rank>.metadata per rank")
    parser.add_argument("--commit-file", action="store_true",
                        help="Orbax: CommitFileTemporaryPath (commit_success.txt, no rename)")
    parser.add_argument("--metrics-after", type=float, default=0.5,
                        help="SB3: seconds between the checkpoint and its evaluation")
    args = parser.parse_args()
    writers = {"lightning": lightning, "huggingface": huggingface, "sb3": sb3, "keras": keras,
               "orbax": orbax, "torch-dcp": torch_dcp}
    writers[args.framework](args)


if __name__ == "__main__":
    main()
