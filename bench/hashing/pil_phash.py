#!/usr/bin/env python3
"""The Python baselines: ImageHash's phash over a file list, timed in-process.

    pil_phash.py --list FILES.txt --mode plain|draft [--dump OUT.tsv]

plain: Image.open + imagehash.phash (PIL decodes the full image, converts to L, Lanczos
to 32x32). draft: Image.draft('L', (64, 64)) first, so libjpeg decodes at the smallest
DCT scale that keeps >= 64x64 and in grayscale (PIL's fastest JPEG path). Prints one
JSON line: images, seconds (open + decode + hash of every file), images_per_s.
--dump writes "path<TAB>phash(16 hex)" per file.
"""
import argparse
import json
import sys
import time

import imagehash
from PIL import Image


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--mode", choices=["plain", "draft"], default="plain")
    ap.add_argument("--dump")
    a = ap.parse_args()
    paths = [line.strip() for line in open(a.list) if line.strip()]
    hashes = []
    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as im:
            if a.mode == "draft":
                im.draft("L", (64, 64))
            hashes.append(str(imagehash.phash(im)))
    seconds = time.perf_counter() - start
    if a.dump:
        with open(a.dump, "w") as f:
            for path, h in zip(paths, hashes):
                f.write("%s\t%s\n" % (path, h))
    print(json.dumps({"tool": "imagehash_" + a.mode, "images": len(paths), "seconds": seconds,
                      "images_per_s": len(paths) / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
