#!/usr/bin/env python3
"""A YOLO dataset with planted leakage for the split benchmark (never committed).

    python3 bench/split/make_leaky.py OUT [--groups 300] [--seed 7]

OUT/data.yaml, images/{train,val,test}/*.png, labels/..., metadata.csv (image,scene).
Each scene holds 2-9 images whose classes follow the scene's own class mix (so a split
by images balances classes easily and a split by scenes has to work for it); images are
put into train/val/test at random, ignoring scenes, so most scenes span two splits
(group_leak). 5% of the images also get a byte-identical copy in another split, under
another scene's name, planted as cross_split_duplicate. Every picture is its own random
noise, so no two pictures are near-duplicates by accident. Standard library only.
"""
import argparse
import os
import random
import struct
import zlib

CLASSES = ["forklift", "person", "pallet", "truck", "box", "cone"]


def png(width, height, rng):
    raw = b"".join(b"\x00" + bytes(rng.getrandbits(8) for _ in range(width * 3)) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--groups", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    splits = ["train", "val", "test"]
    for s in splits:
        os.makedirs(f"{a.out}/images/{s}", exist_ok=True)
        os.makedirs(f"{a.out}/labels/{s}", exist_ok=True)
    rows = []
    images = []
    n = 0
    for g in range(a.groups):
        scene = f"scene{g:04d}"
        mix = [rng.random() ** 2 for _ in CLASSES]
        for _ in range(rng.randint(2, 9)):
            split = rng.choices(splits, weights=[0.8, 0.1, 0.1])[0]
            name = f"img{n:05d}"
            n += 1
            data = png(32, 24, rng)
            boxes = []
            for _ in range(rng.randint(0, 6)):
                c = rng.choices(range(len(CLASSES)), weights=mix)[0]
                w, h = rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3)
                boxes.append(f"{c} {rng.uniform(w / 2, 1 - w / 2):.4f} {rng.uniform(h / 2, 1 - h / 2):.4f} {w:.4f} {h:.4f}")
            images.append((split, name, data, boxes, scene))
    copies = []
    for split, name, data, boxes, scene in rng.sample(images, len(images) // 20):
        other = rng.choice([s for s in splits if s != split])
        copies.append((other, name + "_copy", data, boxes, rng.choice(images)[4]))
    for split, name, data, boxes, scene in images + copies:
        with open(f"{a.out}/images/{split}/{name}.png", "wb") as f:
            f.write(data)
        with open(f"{a.out}/labels/{split}/{name}.txt", "w") as f:
            f.write("".join(b + "\n" for b in boxes))
        rows.append(f"images/{split}/{name}.png,{scene}")
    with open(f"{a.out}/metadata.csv", "w") as f:
        f.write("image,scene\n" + "".join(r + "\n" for r in rows))
    with open(f"{a.out}/data.yaml", "w") as f:
        f.write("path: .\ntrain: images/train\nval: images/val\ntest: images/test\nnames: [" + ", ".join(CLASSES) + "]\n")
    print(f"{a.out}: {len(images) + len(copies)} images, {a.groups} scenes, {len(copies)} planted cross-split copies")


if __name__ == "__main__":
    main()
