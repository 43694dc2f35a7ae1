#!/usr/bin/env python3
"""Write the corpus's YOLO-txt predictions as one COCO results JSON, for the same run on
the other predictions format qcpass reads.

    python3 bench/txt_to_coco_results.py DIR     # DIR from gen_coco_scale.py --predictions

Reads DIR/predictions/<split>/*.txt ("cls cx cy w h conf", 0-1 units) and the image sizes
from DIR/annotations/instances_<split>.json; writes DIR/predictions.json:
[{"image_id": "<file stem>", "category_id": cls, "bbox": [x, y, w, h] in pixels, "score": conf}, ...]
(qcpass pairs a string image_id with the image of that stem). Standard library only.
"""
import json
import os
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    sizes = {}
    for name in sorted(os.listdir(os.path.join(root, "annotations"))):
        if name.startswith("instances_") and name.endswith(".json"):
            with open(os.path.join(root, "annotations", name)) as f:
                for image in json.load(f)["images"]:
                    sizes[os.path.splitext(os.path.basename(image["file_name"]))[0]] = (image["width"], image["height"])
    out = os.path.join(root, "predictions.json")
    count = 0
    with open(out + ".part", "w") as f:
        f.write("[")
        first = True
        for split in sorted(os.listdir(os.path.join(root, "predictions"))):
            folder = os.path.join(root, "predictions", split)
            for name in sorted(os.listdir(folder)):
                stem = os.path.splitext(name)[0]
                if stem not in sizes:
                    sys.exit("%s: no image %s in the annotations" % (os.path.join(folder, name), stem))
                w, h = sizes[stem]
                with open(os.path.join(folder, name)) as rows:
                    for line_number, line in enumerate(rows, 1):
                        fields = line.split()
                        if not fields:
                            continue
                        if len(fields) != 6:
                            sys.exit("%s:%d: expected 'cls cx cy w h conf'" % (os.path.join(folder, name), line_number))
                        cls, cx, cy, bw, bh, conf = int(fields[0]), *map(float, fields[1:])
                        box = [round((cx - bw / 2) * w, 2), round((cy - bh / 2) * h, 2), round(bw * w, 2), round(bh * h, 2)]
                        f.write(("" if first else ", ") + json.dumps(
                            {"image_id": stem, "category_id": cls, "bbox": box, "score": conf}))
                        first = False
                        count += 1
        f.write("]\n")
    os.replace(out + ".part", out)
    print("%s: %d predictions" % (out, count))


if __name__ == "__main__":
    main()
