"""What a phone signature costs: the stored PNG of a typical signature and the Leistungsnachweis PDF with it.

Draws a signature as the phone's canvas would deliver it (1068 x 660 px: a 356 x 220 CSS-pixel field at 3x,
transparent, a few strokes), runs it through the same check and re-encoding as "Mein Bereich" (greyscale PNG),
then renders one senior's month (8 visits) N times without and with the signature, one by one.

    .venv/bin/python bench/signature_bench.py [--docs 40]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw

from bench.billing_bench import machine
from billing.documents import leistungsnachweis_data, render_document
from billing.month import Month
from billing.run import DigitalSignature, prepare_month
from tests.billing.billing_factories import CONFIG, make_appointment, make_senior, make_senior_month


def canvas_png() -> str:
    """A data URL like signature_pad's toDataURL() on a 3x phone screen."""
    image = Image.new("RGBA", (1068, 660), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(60, 450), (180, 270), (330, 180), (480, 360), (630, 210), (780, 420), (960, 180)], (27, 31, 36), 9)
    draw.line([(120, 540), (420, 555), (660, 525), (900, 540)], (27, 31, 36), 7)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def stored_png(data_url: str) -> bytes:
    """The same re-encoding as begleitservice.signatures.decode_png (without the app)."""
    raw = base64.b64decode(data_url.split(",", 1)[1])
    with Image.open(io.BytesIO(raw)) as image:
        rgba = image.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    out = io.BytesIO()
    flat.convert("L").save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=40)
    args = parser.parse_args()
    print(machine(), "· load", " ".join(f"{x:.2f}" for x in os.getloadavg()))

    data_url = canvas_png()
    started = time.perf_counter()
    png = stored_png(data_url)
    encode_ms = (time.perf_counter() - started) * 1000
    print(f"canvas data URL {len(data_url) / 1024:.1f} KB → stored PNG {len(png) / 1024:.1f} KB ({encode_ms:.0f} ms)")

    senior = make_senior("s1")
    visits = [make_appointment(f"v{d}", date(2026, 11, d), minutes=120) for d in (2, 5, 9, 12, 16, 19, 23, 26)]
    ln = prepare_month(Month(2026, 11), [make_senior_month(senior, visits)], config=CONFIG).seniors[0].leistungsnachweis
    signed = ln.__class__(
        **{**ln.__dict__, "digital": (DigitalSignature("Erika", "Hildegard B.", datetime.now(UTC), png),)}
    )
    print(
        f"document data: {len(json.dumps(leistungsnachweis_data(ln))) / 1024:.1f} KB without, "
        f"{len(json.dumps(leistungsnachweis_data(signed))) / 1024:.1f} KB with the signature"
    )
    render_document(ln)  # warm the compiler (fonts, templates)
    for label, doc in (("without", ln), ("with", signed)):
        started = time.perf_counter()
        for _ in range(args.docs):
            pdf = render_document(doc)
        seconds = time.perf_counter() - started
        print(
            f"{label:>7} signature: {args.docs} PDFs in {seconds:.2f} s = {args.docs / seconds:.1f} documents/s, "
            f"{len(pdf) / 1024:.1f} KB each"
        )


if __name__ == "__main__":
    main()
