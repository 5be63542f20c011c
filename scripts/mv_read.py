#!/usr/bin/env python3
"""Reads a modelvault vault (format 2) without modelvault: Python 3's standard library
and the `zstd` command only. It follows docs/FORMAT.md and checks every hash it meets.

  mv_read.py VAULT list                       every version: model, version, created, files
  mv_read.py VAULT restore MODEL@VERSION DIR  the version's files, byte-exact, into DIR
  mv_read.py VAULT check                      every manifest, index file and pack hashes

Exit status 0 on success, 1 when something is missing or does not hash to its name.
Plain vaults only: Python's standard library has no AES-GCM, so an encrypted vault
(vault.json says "encrypted": true) is refused with exit status 1.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys

CODECS = {0: "raw", 1: "zstd", 2: "planes"}


class Damaged(Exception):
    pass


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_named(path):
    """A file named by the SHA-256 of its bytes (packs, index files, manifests)."""
    with open(path, "rb") as f:
        data = f.read()
    name = os.path.basename(path).split(".")[0]
    if sha256(data) != name:
        raise Damaged(f"{path} does not hash to its name")
    return data


def manifests(vault):
    found = []
    for name in sorted(os.listdir(os.path.join(vault, "manifests"))):
        data = read_named(os.path.join(vault, "manifests", name))
        m = json.loads(data)
        if m.get("format") != "modelvault-manifest" or m.get("format_version") != 2:
            raise Damaged(f"manifests/{name} is not a format-2 manifest")
        found.append(m)
    return found


def load_index(vault):
    """chunk id (hex) -> (pack id, offset, stored length, raw length, codec)."""
    index = {}
    folder = os.path.join(vault, "index")
    for name in os.listdir(folder):
        data = read_named(os.path.join(folder, name))
        magic, version, flags, packs, entries = struct.unpack_from("<4sB3sII", data, 0)
        if magic != b"MVIX" or version != 1 or flags != b"\0\0\0":
            raise Damaged(f"index/{name}: not an index file of version 1")
        pack_ids = []
        at = 16
        for _ in range(packs):
            pack_ids.append(data[at:at + 32].hex())
            at += 40
        for _ in range(entries):
            chunk = data[at:at + 32].hex()
            pack, codec, _flags, offset, stored, raw = struct.unpack_from("<IB3sIII", data, at + 32)
            index.setdefault(chunk, (pack_ids[pack], offset, stored, raw, codec))
            at += 52
    return index


def unzstd(frame, size):
    out = subprocess.run(["zstd", "-d", "-q", "-c"], input=frame, stdout=subprocess.PIPE,
                         check=True).stdout
    if len(out) != size:
        raise Damaged(f"a zstd frame gave {len(out)} bytes, not {size}")
    return out


def unrotate(planes, width):
    """Undoes the rotation by one bit of every value: plane b gets its low bit from plane
    b+1 (the top plane from plane 0), done a whole plane at a time with big integers."""
    count = len(planes[0])
    shift_right = bytes((b >> 1) for b in range(256))
    low_bit_up = bytes(((b & 1) << 7) for b in range(256))
    out = []
    for b in range(width):
        high = int.from_bytes(planes[b].translate(shift_right), "little")
        carry = int.from_bytes(planes[(b + 1) % width].translate(low_bit_up), "little")
        out.append((high | carry).to_bytes(count, "little"))
    return out


def decode_planes(stored, size):
    width, transform, reserved, prefix, count = struct.unpack_from("<BBHII", stored, 0)
    if width not in (2, 4, 8) or transform != 1 or reserved != 0:
        raise Damaged("planes: unknown width or transform")
    at = 12 + 8 * width
    head = stored[at:at + prefix]
    at += prefix
    planes = []
    for b in range(width):
        codec, length = struct.unpack_from("<B3xI", stored, 12 + 8 * b)
        data = stored[at:at + length]
        at += length
        planes.append(data if codec == 0 else unzstd(data, count))
        if len(planes[-1]) != count:
            raise Damaged("planes: a plane of the wrong size")
    values = bytearray(count * width)
    for b, plane in enumerate(unrotate(planes, width)):
        values[b::width] = plane
    out = head + bytes(values) + stored[at:]
    if len(out) != size:
        raise Damaged("planes: the chunk has the wrong size")
    return out


def read_chunk(vault, index, chunk, size, packs):
    if chunk not in index:
        raise Damaged(f"chunk {chunk[:12]}… is in no index file")
    pack, offset, stored_length, raw_length, codec = index[chunk]
    if pack not in packs:
        packs[pack] = read_named(os.path.join(vault, "packs", pack[:2], pack))
    stored = packs[pack][offset:offset + stored_length]
    if raw_length != size or len(stored) != stored_length:
        raise Damaged(f"chunk {chunk[:12]}… in pack {pack[:12]}… has the wrong size")
    if CODECS.get(codec) == "raw":
        data = stored
    elif CODECS.get(codec) == "zstd":
        data = unzstd(stored, size)
    elif CODECS.get(codec) == "planes":
        data = decode_planes(stored, size)
    else:
        raise Damaged(f"chunk {chunk[:12]}…: unknown codec {codec}")
    if sha256(data) != chunk:
        raise Damaged(f"chunk {chunk[:12]}… in pack {pack[:12]}… does not hash to its name")
    return data


def unescape(text):
    """The text form of names (docs/FORMAT.md): \\\\ and \\xNN are bytes."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        if raw[i:i + 1] == b"\\" and raw[i + 1:i + 2] == b"\\":
            out += b"\\"
            i += 2
        elif raw[i:i + 1] == b"\\" and raw[i + 1:i + 2] == b"x":
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def restore(vault, target, directory):
    model, _, version = target.rpartition("@")
    chosen = [m for m in manifests(vault) if m["model"] == model and m["version"] == version]
    if not chosen:
        raise Damaged(f"no version {target} in {vault}")
    manifest = chosen[0]
    index = load_index(vault)
    packs = {}
    for f in manifest["files"]:
        path = unescape(f["path"])
        if path.startswith(b"/") or b".." in path.split(b"/"):
            raise Damaged(f"refusing the unsafe path {f['path']}")
        destination = os.path.join(os.fsencode(directory), path)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        digest = hashlib.sha256()
        with open(destination + b".part", "wb") as out:
            for chunk, size in f["chunks"]:
                data = read_chunk(vault, index, chunk, size, packs)
                digest.update(data)
                out.write(data)
        if digest.hexdigest() != f["sha256"]:
            raise Damaged(f"{f['path']} does not match its SHA-256")
        os.chmod(destination + b".part", int(f["mode"], 8))
        os.utime(destination + b".part", ns=(f["mtime_ns"], f["mtime_ns"]))
        os.replace(destination + b".part", destination)
        print(f"{f['role']:8} {f['size']:>12}  {f['path']}")


def main(argv):
    if len(argv) < 3 or argv[2] not in ("list", "restore", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    vault, command = argv[1], argv[2]
    try:
        with open(os.path.join(vault, "vault.json"), "rb") as marker:
            if json.load(marker).get("encrypted", False):
                raise Damaged(f"{vault} is encrypted; this reader reads plain vaults only: use "
                              "modelvaultctl restore or export --decrypt (docs/FORMAT.md, "
                              "\"Encryption\")")
        if command == "list":
            for m in manifests(vault):
                print(f"{m['model']}\t{m['version']}\t{m['created']}\t{len(m['files'])} file(s)")
        elif command == "restore" and len(argv) == 5:
            restore(vault, argv[3], argv[4])
        elif command == "check":
            index = load_index(vault)
            packs = {}
            for m in manifests(vault):
                for f in m["files"]:
                    for chunk, size in f["chunks"]:
                        read_chunk(vault, index, chunk, size, packs)
            print(f"{len(index)} chunks, {len(packs)} packs: intact")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (Damaged, OSError, subprocess.CalledProcessError, ValueError, KeyError) as e:
        print(f"mv_read.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
