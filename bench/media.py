"""Media benchmarks (results in docs/benchmarks.md; `make bench-media`):

1. Every per-network rendition of a 12-megapixel JPEG made by media.images (the pipeline's code) versus
   the same work written as plain Pillow calls (same operations, same binary searches), and versus a
   single plain encode per network at the final parameters (what knowing the answer would cost). Each
   variant runs in its own fresh process, alternating A B A B; time and peak RSS are medians.
2. Bytes and quality of the Bluesky rendition against the original (PSNR and mean SSIM of luma over
   8x8 blocks, the original downscaled to the rendition's size with the same filter).
3. Transcoding a 60-second 1080p clip (MPEG-4 Part 2 in MOV: every network needs H.264) for Bluesky with
   media.video versus the raw ffmpeg command line typed by hand, alternating A B A B.

No database is needed: the rendition functions are measured, not the caching around them.
    python bench/media.py [--rounds 3] [--video-rounds 2] [--skip-video]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
WORK = Path(tempfile.gettempdir()) / "bench-media"


def photo(path: Path):
    """A 12-MP photo-like JPEG (noise + gradient compress like a real photo), made once."""
    from PIL import Image

    if path.exists():
        return path
    size = (4000, 3000)
    red = Image.effect_noise(size, 30)
    green = Image.linear_gradient("L").resize(size)
    blue = Image.effect_noise(size, 15)
    Image.merge("RGB", (red, green, blue)).save(path, "JPEG", quality=92)
    return path


# --- one measured run, in a fresh process ---------------------------------------------------
def run_ours(data: bytes):
    from media import image_fit as images
    from media.specs import NETWORK_SPECS

    results = {}
    for platform, spec in NETWORK_SPECS.items():
        with images.open_image(io.BytesIO(data)) as image:
            width, height = image.size
        if images.fits(spec, "image/jpeg", len(data), width, height):
            continue
        encoded = images.render_image(io.BytesIO(data), spec)
        results[platform] = {"bytes": len(encoded.data), "size": [encoded.width, encoded.height], **encoded.details}
    return results


def run_plain(data: bytes, *, single_pass: dict | None = None):
    """The same renditions with plain Pillow calls: open, draft, resize, pad, encode, binary search."""
    from PIL import Image

    from media.specs import NETWORK_SPECS

    results = {}
    for platform, spec in NETWORK_SPECS.items():
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        ratio = width / height
        too_big = len(data) > spec.image_max_bytes or "image/jpeg" not in spec.image_types
        too_long = spec.image_max_side and max(width, height) > spec.image_max_side
        too_many = spec.image_max_pixels and width * height > spec.image_max_pixels
        bad_aspect = (spec.aspect_min and ratio < spec.aspect_min) or (spec.aspect_max and ratio > spec.aspect_max)
        if not (too_big or too_long or too_many or bad_aspect):
            continue
        scale = 1.0
        if spec.image_max_side:
            scale = min(scale, spec.image_max_side / max(width, height))
        if spec.image_max_pixels:
            scale = min(scale, math.sqrt(spec.image_max_pixels / (width * height)))
        if scale < 0.5:
            image.draft("RGB", (round(width * scale), round(height * scale)))
        image = image.convert("RGB")
        if scale < 0.999:
            image = image.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS, reducing_gap=3.0)

        def encode(quality):
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=quality, optimize=True)
            return buf.getvalue()

        if single_pass is not None:
            quality = single_pass[platform]["quality"]
            out = encode(quality)
        else:
            low, high = 50, 92
            out = encode(high)
            quality = high
            if len(out) > spec.image_max_bytes:
                best = encode(low)
                quality = low
                while high - low > 2:
                    middle = (low + high) // 2
                    candidate = encode(middle)
                    if len(candidate) <= spec.image_max_bytes:
                        low, best, quality = middle, candidate, middle
                    else:
                        high = middle
                out = best
        results[platform] = {"bytes": len(out), "size": list(image.size), "quality": quality}
    return results


def child(kind: str, path: str, extra: str):
    import django

    django.setup()
    data = Path(path).read_bytes()
    start = time.perf_counter()
    if kind == "ours":
        results = run_ours(data)
    elif kind == "plain":
        results = run_plain(data)
    else:
        results = run_plain(data, single_pass=json.loads(extra))
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": rss_mb, "results": results}))


def measure(kind, path, extra=""):
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), extra], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- quality ---------------------------------------------------------------------------------
def psnr_and_ssim(original_path, rendition_bytes):
    from PIL import Image, ImageChops, ImageStat

    rendition = Image.open(io.BytesIO(rendition_bytes)).convert("RGB")
    reference = Image.open(original_path).convert("RGB").resize(rendition.size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    rms = ImageStat.Stat(ImageChops.difference(reference, rendition)).rms
    mse = statistics.mean(r * r for r in rms)
    psnr = 10 * math.log10(255 * 255 / mse) if mse else float("inf")
    # Mean SSIM of luma over 8x8 blocks (a fixed 512-px-wide crop keeps it quick).
    a = reference.convert("L").crop((0, 0, 512, 512))
    b = rendition.convert("L").crop((0, 0, 512, 512))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    pa, pb = a.load(), b.load()
    scores = []
    for y0 in range(0, 512, 8):
        for x0 in range(0, 512, 8):
            xs = [pa[x, y] for y in range(y0, y0 + 8) for x in range(x0, x0 + 8)]
            ys = [pb[x, y] for y in range(y0, y0 + 8) for x in range(x0, x0 + 8)]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            vx = statistics.fmean((v - mx) ** 2 for v in xs)
            vy = statistics.fmean((v - my) ** 2 for v in ys)
            cov = statistics.fmean((p - mx) * (q - my) for p, q in zip(xs, ys))
            scores.append(((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2)))
    return psnr, statistics.fmean(scores)


# --- video -----------------------------------------------------------------------------------
def clip(path: Path):
    if not path.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=duration=60:size=1920x1080:rate=30",
             "-f", "lavfi", "-i", "sine=duration=60", "-c:v", "mpeg4", "-q:v", "4", "-c:a", "aac", "-shortest",
             "-f", "mov", str(path)],
            check=True,
        )
    return path


def timed(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def bench_video(rounds):
    import django

    django.setup()
    from media import video
    from media.probe import probe
    from media.specs import NETWORK_SPECS

    source = clip(WORK / "clip-60s-1080p.mov")
    info = probe(source)
    spec = NETWORK_SPECS["bluesky"]
    ours_out, raw_out = WORK / "ours.mp4", WORK / "raw.mp4"
    ours_args = video.transcode_args(source, ours_out, info, spec)
    # The same transcode typed by hand: what ffmpeg itself costs, without our probing and wrappers.
    budget = int(spec.video_max_bytes * 8 * video.TRANSCODE_SIZE_MARGIN / info["duration"] - video.AUDIO_BITRATE)
    raw_args = [
        "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0:v", "-map", "0:a", "-c:v", "libx264",
        "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p", "-b:v", str(budget), "-maxrate", str(budget),
        "-bufsize", str(budget * 2), "-c:a", "aac", "-b:a", "128000", "-movflags", "+faststart", "-map_metadata", "-1",
        "-fs", str(spec.video_max_bytes), str(raw_out),
    ]
    ours, raw = [], []
    for _ in range(rounds):  # A B A B; ours includes probing the source, as the pipeline does
        start = time.perf_counter()
        video.transcode(source, ours_out, probe(source), spec)
        ours.append(time.perf_counter() - start)
        raw.append(timed(raw_args)[0])
    return {
        "ours_s": statistics.median(ours), "raw_s": statistics.median(raw), "ratio": statistics.median(ours) / statistics.median(raw),
        "ours_bytes": ours_out.stat().st_size, "raw_bytes": raw_out.stat().st_size, "rounds": rounds,
        "ours_args": " ".join(map(str, ours_args[1:])),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--video-rounds", type=int, default=2)
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--video-only", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    WORK.mkdir(exist_ok=True)
    if args.video_only:
        return print_video(bench_video(args.video_rounds))
    source = photo(WORK / "photo-12mp.jpg")
    print(f"source: 4000x3000 JPEG, {source.stat().st_size:,} bytes; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    runs = {"ours": [], "plain": [], "single": []}
    first = measure("ours", source)
    single_args = json.dumps(first["results"])
    for _ in range(args.rounds):  # A B C A B C ...
        runs["ours"].append(measure("ours", source))
        runs["plain"].append(measure("plain", source))
        runs["single"].append(measure("single", source, single_args))
    for kind, items in runs.items():
        seconds = statistics.median(r["seconds"] for r in items)
        rss = statistics.median(r["peak_rss_mb"] for r in items)
        each = ", ".join(f"{r['seconds']:.2f}" for r in items)
        print(f"{kind:>6}: {seconds:.2f} s, peak RSS {rss:.0f} MB  (runs: {each})")
    ratio = statistics.median(r["seconds"] for r in runs["ours"]) / statistics.median(r["seconds"] for r in runs["plain"])
    print(f"ours / plain Pillow (same searches): {ratio:.2f}x")
    print("renditions:", json.dumps(first["results"]))

    import django

    django.setup()
    from media import image_fit as images
    from media.specs import NETWORK_SPECS

    encoded = images.render_image(io.BytesIO(source.read_bytes()), NETWORK_SPECS["bluesky"])
    psnr, ssim = psnr_and_ssim(source, encoded.data)
    print(f"bluesky: {len(encoded.data):,} bytes, {encoded.width}x{encoded.height}, quality {encoded.details['quality']}, PSNR {psnr:.1f} dB, SSIM {ssim:.4f}")
    if not args.skip_video:
        print_video(bench_video(args.video_rounds))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def print_video(result):
    print(f"video 60 s 1080p MPEG-4 -> Bluesky MP4: ours {result['ours_s']:.1f} s vs raw ffmpeg {result['raw_s']:.1f} s = "
          f"{result['ratio']:.2f}x over {result['rounds']} round(s); {result['ours_bytes']:,} vs {result['raw_bytes']:,} bytes; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("ours:", result["ours_args"])


if __name__ == "__main__":
    main()
