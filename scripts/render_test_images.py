#!/usr/bin/python3
"""Renders the OCR example's test images: examples/ocr/testdata/NAME.png with the
text lines it shows in NAME.txt (one line each, top to bottom).

Deterministic (no randomness, fixed fonts), so rerunning reproduces the files.
Uses only characters present in PaddleOCR's ppocr_keys_v1.txt; DejaVu has no CJK
glyphs, so the text is Latin letters, digits and punctuation.

    /usr/bin/python3 scripts/render_test_images.py [OUTDIR]
"""

import os
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "examples", "ocr", "testdata")

# name -> (font file, font size, background RGB, text RGB, lines, upside down)
IMAGES = {
    "single_line": ("DejaVuSans.ttf", 30, (255, 255, 255), (0, 0, 0), ["Hello Kiln 2024"], False),
    "receipt": ("DejaVuSans.ttf", 26, (246, 246, 242), (30, 30, 30),
                ["Order #4521", "Coffee 3.50", "Total: 12.75"], False),
    "colored": ("DejaVuSans-Bold.ttf", 28, (250, 232, 150), (20, 40, 110),
                ["Meeting at 10:30", "Level 3, Desk 17"], False),
    "serif": ("DejaVuSerif.ttf", 28, (222, 238, 250), (60, 20, 20),
              ["Quick brown fox", "jumps over 13 dogs"], False),
    # Needs the orientation classifier (--cls); one line, since turning the page
    # also reverses the order of lines.
    "upside_down": ("DejaVuSans.ttf", 30, (255, 255, 255), (0, 0, 0), ["Turn me around 180"], True),
}

MARGIN = 24        # pixels around the text block
LINE_SPACING = 1.9  # line pitch as a multiple of the font size; keeps lines apart for detection


def render(font_file, size, background, color, lines):
    font = ImageFont.truetype(os.path.join(FONT_DIR, font_file), size)
    pitch = int(round(size * LINE_SPACING))
    width = max(int(font.getlength(line)) for line in lines) + 2 * MARGIN
    height = pitch * (len(lines) - 1) + size + 2 * MARGIN
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + i * pitch), line, font=font, fill=color)
    return image


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out_dir, exist_ok=True)
    for name, (font_file, size, background, color, lines, upside_down) in IMAGES.items():
        image = render(font_file, size, background, color, lines)
        if upside_down:
            image = image.transpose(Image.Transpose.ROTATE_180)
        image.save(os.path.join(out_dir, name + ".png"), optimize=True)
        with open(os.path.join(out_dir, name + ".txt"), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        print(f"wrote {name}.png and {name}.txt")


if __name__ == "__main__":
    main()
