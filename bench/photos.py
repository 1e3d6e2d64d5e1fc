"""How much time and memory a family's photo costs: `python -m bench photos`.

Makes a 12-megapixel (4032 x 3024, a phone's camera) and a 40-megapixel (7728 x 5152, the largest we
accept) JPEG with camera-like detail and an EXIF orientation, then processes each in a fresh process
(memorials.stories.photos.process: decode near the target size, turn upright, re-encode, thumbnail),
reporting the median time of --repeat runs and the process's peak memory (ru_maxrss, the interpreter
and the app's imports included, and the part the photo added). For comparison it also measures the
same steps without draft mode and reduce (a full-size decode, as the code did before).

Goals (issues 10 and 12): 12 MP under 300 ms and 150 MB; 40 MP under 250 MB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"12 MP": (4032, 3024), "40 MP": (7728, 5152)}

MAKE = r"""
import random, sys
from PIL import Image, ImageDraw, ImageFilter
width, height, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(width)
small = Image.effect_noise((width // 8, height // 8), 60).convert("RGB")
image = small.resize((width, height), Image.Resampling.BICUBIC)
draw = ImageDraw.Draw(image)
for _ in range(300):
    x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(10, width // 6)
    draw.ellipse((x - r, y - r, x + r, y + r), outline=tuple(rng.randint(0, 255) for _ in range(3)), width=rng.randint(1, 40))
exif = Image.Exif()
exif[0x0112] = 6          # taken with the phone turned: must come out upright
exif[0x010F] = "BenchCam"  # camera make: must not survive
image.save(path, "JPEG", quality=92, exif=exif)
"""

MEASURE = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[3])
from PIL import Image, ImageOps
from memorials.stories import photos
data = open(sys.argv[1], "rb").read()
mode, repeat = sys.argv[2], int(sys.argv[4])

def legacy(data):
    import io
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        rgb = ImageOps.exif_transpose(image).convert("RGB")
    rgb.thumbnail((photos.LONG_SIDE, photos.LONG_SIDE), Image.Resampling.LANCZOS)
    thumb = ImageOps.fit(rgb, (photos.THUMB_SIDE, photos.THUMB_SIDE), Image.Resampling.LANCZOS)
    return photos._jpeg(rgb), photos._jpeg(thumb), rgb.size

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for n in range(repeat):
    start = time.perf_counter()
    if mode == "now":
        done = photos.process(data)
        size = (done.width, done.height)
        leftover = Image.open(__import__("io").BytesIO(done.full)).getexif()
    else:
        full, thumb, size = legacy(data)
        leftover = {}
    times.append((time.perf_counter() - start) * 1000)
    if n == 0:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"ms": statistics.median(times), "peak_mb": peak / 1024, "base_mb": before / 1024,
                  "size": size, "exif_left": len(leftover)}))
"""


def measure(path: Path, mode: str, repeat: int) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), mode, str(ROOT), str(repeat)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench photos", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'photo':8} {'file':>8} {'way':22} {'median ms':>9} {'peak MB':>8} {'photo MB':>9}  result")
        for label, (width, height) in SIZES.items():
            path = Path(folder) / f"{label.replace(' ', '')}.jpg"
            subprocess.run([sys.executable, "-c", MAKE, str(width), str(height), str(path)], check=True)
            for mode, name in (("now", "draft + reduce (now)"), ("legacy", "full decode (before)")):
                m = measure(path, mode, args.repeat)
                print(f"{label:8} {path.stat().st_size / 1e6:6.1f}MB {name:22} {m['ms']:9.0f} {m['peak_mb']:8.0f} "
                      f"{m['peak_mb'] - m['base_mb']:9.0f}  {m['size'][0]}x{m['size'][1]}"
                      + (f", EXIF tags left: {m['exif_left']}" if mode == "now" else ""))


if __name__ == "__main__":
    main()
