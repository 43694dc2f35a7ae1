#!/usr/bin/env python3
"""Build the hashing benchmark's two image sets from Debian's sample photos and videos.

    make_corpus.py --src DEBROOT --out DIR [--seed 7]

DEBROOT is where opencv-doc and python3-skimage were unpacked (dpkg -x). Writes:

  DIR/corpus/*.jpg, DIR/corpus.txt   throughput set: >= 2,000 JPEGs, 640x480..1280x720:
        every frame of vtest.avi (795, fixed camera) and Megamind.avi (270), plus crops
        and resizes of the photos (22 per photo)
  DIR/accuracy/*.jpg, DIR/accuracy.txt, DIR/truth.json   accuracy set: distinct photos and
        video frames (the bases), each with five near-duplicate copies: JPEG re-encode at
        q=40, resize x0.5-0.8, crop of 3-6% of the area, brightness x0.9 or x1.1, and all four
        at once. truth.json gives each file its group (a base and its copies) and scene
        (frames of one video, or two views of one subject): pairs in one group are true
        near-duplicates, pairs in one scene but different groups are not scored (frames of
        a fixed camera look alike), every other pair is a true non-duplicate.
Deterministic for a seed.
"""
import argparse
import json
import os
import random
import sys

import cv2
from PIL import Image, ImageEnhance

OPENCV = "usr/share/doc/opencv-doc/examples/data"
SKIMAGE = "usr/lib/python3/dist-packages/skimage/data"

# One photo per subject: stereo pairs, calibration series and before/after images are
# represented once (their siblings would be unplanted near-duplicates).
PHOTOS = [
    (OPENCV, n) for n in [
        "Blender_Suzanne1.jpg", "aero1.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "basketball1.png",
        "board.jpg", "box_in_scene.png", "building.jpg", "butterfly.jpg", "cards.png", "chicky_512.png",
        "ela_original.jpg", "fruits.jpg", "graf1.png", "home.jpg", "left.jpg", "left01.jpg", "leuvenA.jpg",
        "licenseplate_motion.jpg", "messi5.jpg", "orange.jpg", "pca_test1.jpg", "rubberwhale1.png",
        "smarties.png", "squirrel_cls.jpg", "starry_night.jpg", "stuff.jpg", "sudoku.png", "text_defocus.jpg",
    ]
] + [
    (SKIMAGE, n) for n in [
        "astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "clock_motion.png", "coffee.png",
        "coins.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png", "moon.png",
        "motorcycle_left.png", "retina.jpg", "rocket.jpg",
    ]
]
VIDEOS = [("vtest.avi", 80), ("Megamind.avi", 27)]  # (file, accuracy-set frame step)


def rgb(image):
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def frames(path):
    capture = cv2.VideoCapture(path)
    while True:
        ok, frame = capture.read()
        if not ok:
            return
        yield Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))


def save(image, path, quality=90):
    image.save(path, "JPEG", quality=quality)
    return path


def throughput_set(src, out, rng):
    folder = os.path.join(out, "corpus")
    os.makedirs(folder, exist_ok=True)
    paths = []
    for video, _ in VIDEOS:
        stem = os.path.splitext(video)[0].lower()
        for index, frame in enumerate(frames(os.path.join(src, OPENCV, video))):
            paths.append(save(frame, os.path.join(folder, "%s_%04d.jpg" % (stem, index))))
    for base, name in PHOTOS:
        photo = rgb(Image.open(os.path.join(src, base, name)))
        stem = os.path.splitext(name)[0].lower()
        for variant in range(22):
            w, h = photo.size
            cw, ch = int(w * rng.uniform(0.5, 1.0)), int(h * rng.uniform(0.5, 1.0))
            x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
            size = (rng.randint(640, 1280), rng.randint(480, 720))
            crop = photo.crop((x, y, x + cw, y + ch)).resize(size, Image.Resampling.LANCZOS)
            paths.append(save(crop, os.path.join(folder, "%s_%02d.jpg" % (stem, variant)), rng.randint(75, 95)))
    with open(os.path.join(out, "corpus.txt"), "w") as f:
        f.write("\n".join(os.path.abspath(p) for p in paths) + "\n")
    return len(paths)


def copies(image, rng):
    """The five near-duplicate copies of a base image."""
    def reencode(im):
        return im, 40

    def resize(im):
        s = rng.uniform(0.5, 0.8)
        return im.resize((max(1, int(im.width * s)), max(1, int(im.height * s))), Image.Resampling.BILINEAR), 90

    def crop(im):
        area = rng.uniform(0.03, 0.06)          # share of the area removed
        keep = (1 - area) ** 0.5                 # per side
        w, h = int(im.width * keep), int(im.height * keep)
        x, y = rng.randint(0, im.width - w), rng.randint(0, im.height - h)
        return im.crop((x, y, x + w, y + h)), 90

    def brightness(im):
        return ImageEnhance.Brightness(im).enhance(rng.choice([0.9, 1.1])), 90

    def everything(im):
        im, _ = crop(im)
        im, _ = resize(im)
        im, _ = brightness(im)
        return im, 40

    return [("reencode", reencode), ("resize", resize), ("crop", crop), ("brightness", brightness),
            ("all", everything)]


def accuracy_set(src, out, rng):
    folder = os.path.join(out, "accuracy")
    os.makedirs(folder, exist_ok=True)
    bases = []  # (stem, image, scene)
    for base, name in PHOTOS:
        stem = os.path.splitext(name)[0].lower()
        bases.append((stem, rgb(Image.open(os.path.join(src, base, name))), stem))
    for video, step in VIDEOS:
        scene = os.path.splitext(video)[0].lower()
        for index, frame in enumerate(frames(os.path.join(src, OPENCV, video))):
            if index % step == step // 2:
                bases.append(("%s_%04d" % (scene, index), frame, scene))
    files = []
    for group, (stem, image, scene) in enumerate(bases):
        files.append({"path": save(image, os.path.join(folder, stem + ".jpg"), 95), "group": group,
                      "scene": scene, "copy": "base"})
        for kind, make in copies(image, rng):
            copy, quality = make(image)
            files.append({"path": save(copy, os.path.join(folder, "%s__%s.jpg" % (stem, kind)), quality),
                          "group": group, "scene": scene, "copy": kind})
    for f in files:
        f["path"] = os.path.abspath(f["path"])
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump({"bases": len(bases), "files": files}, f, indent=1)
    with open(os.path.join(out, "accuracy.txt"), "w") as f:
        f.write("\n".join(x["path"] for x in files) + "\n")
    return len(bases), len(files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    count = throughput_set(a.src, a.out, rng)
    bases, files = accuracy_set(a.src, a.out, rng)
    print("corpus: %d JPEGs; accuracy set: %d bases, %d files" % (count, bases, files))
    with open(os.path.join(a.out, "done.json"), "w") as f:
        json.dump({"seed": a.seed, "corpus": count, "accuracy_files": files}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
