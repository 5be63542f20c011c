"""Model files as training jobs write them: pickles, safetensors (small and large) and
Hugging Face-style folders, saved in place or through a temporary name, with metrics.

Content is incompressible (like real weights) and derived from the suite's seeded
random generator, so a run is reproducible from its seed.
"""

import hashlib
import json
import os
import struct
import threading
from pathlib import Path

MIB = 1 << 20


def pickle_bytes(rng, size):
    """A pickle that passes the daemon's structural check (protocol header, STOP)."""
    return b"\x80\x04\x95" + rng.randbytes(max(size - 4, 0)) + b"."


def safetensors_bytes(rng, size):
    """A safetensors file whose header says exactly where its data ends."""
    header = json.dumps({"w": {"dtype": "U8", "shape": [size], "data_offsets": [0, size]}})
    header += " " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header.encode() + rng.randbytes(size)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def save(path, data, atomic):
    """Writes a whole file as a trainer does: in place (open, write, close) or to a
    temporary name then renamed (`tmp_*` is excluded by the default watch config)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if atomic:
        tmp = path.with_name(f"tmp_{threading.get_ident()}_{path.name}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    else:
        path.write_bytes(data)


class LargeModel:
    """A large safetensors file updated in place: each save rewrites a random 1 MiB
    block of its weights (writing the whole file again would cost the suite more than
    the daemon)."""

    def __init__(self, path, size_mib, rng):
        self.path = Path(path)
        self.size = size_mib * MIB
        self.rng = rng

    def save(self):
        if not self.path.exists() or self.path.stat().st_size < self.size:
            save(self.path, safetensors_bytes(self.rng, self.size), atomic=True)
            return
        block = self.rng.randrange(self.size // MIB)
        with open(self.path, "r+b") as f:
            f.seek(self.path.stat().st_size - self.size + block * MIB)
            f.write(self.rng.randbytes(MIB))


def write_metrics(path, win_rate):
    save(path, json.dumps({"eval": {"win_rate": win_rate}}).encode(), atomic=True)
