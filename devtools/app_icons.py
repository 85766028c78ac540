"""Draw the web app icons (static/icons/*.png) from the favicon's design, once.

    python -m devtools.app_icons

The PNGs are committed; run this again only when the logo changes. The design is
static/favicon.svg's: a rounded purple square with a white diamond.
"""

from pathlib import Path

from PIL import Image, ImageDraw

PURPLE = (108, 43, 217, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = size / 32
    image = Image.new("RGBA", (size, size), PURPLE if maskable else (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    if not maskable:
        canvas.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(8 * scale), fill=PURPLE)
    # A maskable icon keeps its picture inside the middle 80 % (the safe zone).
    inner = 0.72 if maskable else 1.0
    offset = size * (1 - inner) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * scale * inner, offset + y * scale * inner)

    canvas.polygon([at(9, 20), at(16, 8), at(23, 20), at(16, 24)], fill=WHITE)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
