#!/usr/bin/env python3
"""Groups for the COCO-scale split timing, without touching bench/data/coco_scale:

    python3 bench/split/scale_groups.py bench/data/coco_scale bench/data/split_scale [--groups 10000]

writes OUT/data.yaml (path: the corpus) and OUT/metadata.csv with a `scene` column that
puts every image into one of --groups scenes (sizes long-tailed, like cameras that record
more than others). qcpass finds metadata.csv next to the data.yaml.
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--groups", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    corpus = os.path.abspath(a.corpus)
    os.makedirs(a.out, exist_ok=True)
    weights = [1 / (1 + g) ** 0.5 for g in range(a.groups)]
    rows = []
    for split in ("train", "val"):
        names = sorted(os.listdir(f"{corpus}/images/{split}"))
        scenes = rng.choices(range(a.groups), weights=weights, k=len(names))
        rows += [f"images/{split}/{n},scene{s:05d}" for n, s in zip(names, scenes)]
    with open(f"{a.out}/metadata.csv", "w") as f:
        f.write("image,scene\n" + "".join(r + "\n" for r in rows))
    with open(f"{corpus}/data.yaml") as f:
        names_line = [l for l in f.read().splitlines()]
    body = [l for l in names_line if not l.startswith("path:")]
    with open(f"{a.out}/data.yaml", "w") as f:
        f.write(f"path: {corpus}\n" + "\n".join(body) + "\n")
    print(f"{a.out}: {len(rows)} images in {a.groups} scenes")


if __name__ == "__main__":
    main()
