"""Demo content for `make run`: banners, game icons, an announcement, FAQ and the other pages,
"Where is my ID?" help, pinned games. Pictures are drawn here with Pillow (no downloads).

Idempotent: what exists (a banner of the same title, a page, an icon already uploaded) is
left as it is, so the owner's edits survive a restart of the demo.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from catalog.models import Product

from .models import Announcement, Banner, FaqEntry, Page

FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _gradient(width: int, height: int, start: tuple, end: tuple) -> Image.Image:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(width):
        t = x / max(width - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        draw.line([(x, 0), (x, height)], fill=colour)
    return image


def _png(image: Image.Image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


def banner_image(headline: str, subline: str, start: tuple, end: tuple) -> ContentFile:
    image = _gradient(1200, 500, start, end)
    draw = ImageDraw.Draw(image)
    draw.ellipse((820, -120, 1320, 380), fill=tuple(min(c + 40, 255) for c in end))
    draw.polygon([(930, 330), (1010, 190), (1090, 330), (1010, 380)], fill=(255, 255, 255))
    draw.text((70, 140), headline, font=_font(78), fill=(255, 255, 255))
    draw.text((74, 270), subline, font=_font(40), fill=(255, 255, 255))
    return _png(image)


GLYPHS = ("diamond", "flame", "star", "circle", "bolt")


def icon_image(initials: str, start: tuple, end: tuple, glyph: str) -> ContentFile:
    size = 256
    image = _gradient(size, size, start, end)
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255)
    if glyph == "diamond":
        draw.polygon([(128, 40), (196, 120), (128, 200), (60, 120)], outline=white, width=10)
    elif glyph == "flame":
        draw.ellipse((78, 80, 178, 210), outline=white, width=10)
        draw.polygon([(128, 30), (168, 110), (88, 110)], fill=white)
    elif glyph == "star":
        points = [(128, 34), (152, 100), (222, 100), (166, 140), (188, 210), (128, 168),
                  (68, 210), (90, 140), (34, 100), (104, 100)]  # fmt: skip
        draw.polygon(points, outline=white, width=8)
    elif glyph == "circle":
        draw.ellipse((48, 48, 208, 208), outline=white, width=12)
    else:
        draw.polygon([(140, 30), (70, 140), (124, 140), (110, 226), (186, 110), (132, 110)],
                     outline=white, width=8)  # fmt: skip
    font = _font(64)
    box = draw.textbbox((0, 0), initials, font=font)
    width, height = box[2] - box[0], box[3] - box[1]
    draw.text(((size - width) / 2 - box[0], (size - height) / 2 - box[1] + 4), initials,
              font=font, fill=white, stroke_width=3, stroke_fill=(0, 0, 0))  # fmt: skip
    return _png(image)


def id_help_image(game: str, fields: list[str], start: tuple, end: tuple) -> ContentFile:
    """A mock of the game's profile screen with the ID marked in yellow."""
    image = _gradient(640, 360, start, end)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((24, 24, 616, 336), radius=24, fill=(20, 18, 40))
    draw.ellipse((56, 60, 156, 160), fill=(120, 120, 150))
    draw.text((180, 66), game, font=_font(30), fill=(255, 255, 255))
    draw.text((180, 110), "Profil · Profile", font=_font(22), fill=(190, 190, 210))
    draw.rounded_rectangle((172, 168, 600, 236), radius=12, outline=(250, 204, 21), width=5)
    draw.text((190, 184), "  ".join(fields), font=_font(30), fill=(250, 204, 21))
    draw.text((56, 262), "← ID", font=_font(28), fill=(250, 204, 21))
    return _png(image)


PALETTE = [
    ((108, 43, 217), (236, 72, 153)),
    ((14, 165, 233), (99, 102, 241)),
    ((249, 115, 22), (225, 29, 72)),
    ((16, 185, 129), (14, 116, 144)),
    ((234, 179, 8), (234, 88, 12)),
    ((20, 184, 166), (79, 70, 229)),
]


@dataclass(frozen=True)
class DemoBanner:
    title: str
    title_en: str
    headline: str
    subline: str
    link: str


BANNERS = [
    DemoBanner(
        "Diamond Mobile Legends masuk otomatis",
        "Mobile Legends diamonds, delivered automatically",
        "Diamond MLBB",
        "Masuk otomatis dalam hitungan menit",
        "/games/mobile-legends/",
    ),
    DemoBanner(
        "Free Fire: top up 24 jam",
        "Free Fire: top up around the clock",
        "Free Fire 24 jam",
        "Bayar, diamond langsung dikirim",
        "/games/free-fire/",
    ),
    DemoBanner(
        "Daftar harga semua item",
        "Price list of every item",
        "Cek harga dulu",
        "Semua item, harga terbaru",
        "/prices/",
    ),
]

# Games given an icon in the demo; the others show the placeholder (initials on a colour).
ICONS = {
    "mobile-legends": ("ML", "diamond"),
    "free-fire": ("FF", "flame"),
    "genshin-impact": ("GI", "star"),
    "pubg-mobile": ("PM", "circle"),
    "honor-of-kings": ("HK", "bolt"),
    "valorant": ("VA", "diamond"),
    "call-of-duty-mobile": ("CD", "circle"),
    "honkai-star-rail": ("HS", "star"),
    "google-play-voucher": ("GP", "circle"),
    "vidio-premier": ("VD", "bolt"),
    "dana": ("DA", "circle"),
}

ID_HELP = {
    "mobile-legends": (
        ["ID 123456789", "(2345)"],
        "Buka Mobile Legends, ketuk foto profil di kiri atas. ID dan Zone ID ada di bawah "
        "nama kamu, contoh: 123456789 (2345). Isi angka pertama di User ID dan angka dalam "
        "kurung di Zone ID.",
        "Open Mobile Legends and tap your avatar at the top left. The ID and Zone ID are under "
        "your name, e.g. 123456789 (2345): the first number is the User ID, the one in "
        "brackets the Zone ID.",
    ),
    "free-fire": (
        ["ID 1234567890"],
        "Buka Free Fire, ketuk profil di kiri atas. ID pemain ada di bawah nama kamu; ketuk "
        "ikon salin lalu tempel di sini.",
        "Open Free Fire and tap your profile at the top left. Your player ID is under your "
        "name; tap the copy icon and paste it here.",
    ),
    "genshin-impact": (
        ["UID 812345678"],
        "UID ada di pojok kanan bawah layar saat bermain, atau di menu Paimon → profil. "
        "Pilih server sesuai akun kamu (Asia untuk kebanyakan pemain Indonesia).",
        "The UID is at the bottom right of the screen while playing, or in Paimon's menu → "
        "profile. Choose your account's server (Asia for most players in Indonesia).",
    ),
    "valorant": (
        ["Nama#TAG"],
        "Riot ID adalah nama dan tagline kamu, contoh Gerai#1234. Lihat di kanan atas klien "
        "Riot atau di profil Valorant.",
        "Your Riot ID is your name and tagline, e.g. Gerai#1234. It shows at the top right of "
        "the Riot client or in your Valorant profile.",
    ),
}

PAGES = {
    "faq": (
        "Pertanyaan yang sering ditanyakan",
        "Frequently asked questions",
        "Jawaban singkat untuk hal yang paling sering ditanyakan pembeli Gerai.",
        "Short answers to what Gerai's customers ask most.",
    ),
    "terms": (
        "Syarat dan ketentuan",
        "Terms and conditions",
        "Dengan membeli di Gerai kamu setuju bahwa:\n\n"
        "1. Kamu bertanggung jawab atas ID akun yang diisi. Top up ke ID yang salah tidak "
        "dapat dikembalikan.\n\n"
        "2. Pesanan yang gagal dikirim dikembalikan penuh ke metode pembayaran atau saldo "
        "akun kamu.\n\n"
        "3. Harga dapat berubah sewaktu-waktu; harga yang berlaku adalah harga saat pesanan "
        "dibuat.",
        "By buying at Gerai you agree that:\n\n"
        "1. You are responsible for the account ID you enter. A top-up sent to a wrong ID "
        "cannot be refunded.\n\n"
        "2. An order that cannot be delivered is refunded in full to your payment method or "
        "account balance.\n\n"
        "3. Prices may change at any time; the price that counts is the one when the order "
        "was made.",
    ),
    "privacy": (
        "Kebijakan privasi",
        "Privacy policy",
        "Kami menyimpan email, nomor WhatsApp (jika diisi) dan ID akun game hanya untuk "
        "mengirim pesanan dan kabar tentang pesanan itu. Kami tidak menjual data kamu.\n\n"
        "Alamat IP disimpan bersama pesanan karena pemasok kami memintanya untuk beberapa game.",
        "We keep your email, WhatsApp number (when given) and game account ID only to deliver "
        "your order and tell you about it. We never sell your data.\n\n"
        "Your IP address is kept with the order because our supplier asks for it for some games.",
    ),
    "contact": (
        "Hubungi kami",
        "Contact us",
        'Ada masalah dengan pesanan? Buka halaman pesanan kamu dan pilih "Ada masalah dengan '
        'pesanan ini?": pesan kamu langsung masuk ke tim dukungan bersama pesanannya.\n\n'
        "Email: halo@gerai.example\nJam layanan: setiap hari 08.00–22.00 WIB.",
        'A problem with an order? Open your order page and choose "A problem with this order? '
        'Tell us.": your message goes straight to our support team with the order.\n\n'
        "Email: halo@gerai.example\nHours: every day 08:00–22:00 (WIB).",
    ),
}

FAQ = [
    (
        "Berapa lama top up masuk?",
        "How long does a top-up take?",
        "Biasanya kurang dari satu menit setelah pembayaran diterima. Jika sebuah game sedang "
        "lambat, halaman game menampilkannya sebelum kamu membayar.",
        "Usually under a minute after the payment arrives. When a game is running slow, its "
        "page says so before you pay.",
    ),
    (
        "Saya salah mengisi ID, bagaimana?",
        "I entered a wrong ID. What now?",
        "Top up yang sudah terkirim ke ID lain tidak dapat ditarik kembali. Periksa ID di "
        "halaman ringkasan sebelum membayar.",
        "A top-up delivered to another ID cannot be taken back. Check the ID on the summary "
        "page before paying.",
    ),
    (
        "Bagaimana jika pesanan gagal?",
        "What if an order fails?",
        "Dana dikembalikan otomatis ke metode pembayaran atau saldo akun kamu, dan kami "
        "mengabari lewat email.",
        "The money is refunded automatically to your payment method or account balance, and "
        "we email you.",
    ),
    (
        "Apakah harus punya akun?",
        "Do I need an account?",
        "Tidak. Kamu bisa membeli sebagai tamu; simpan tautan halaman pesanan atau cari "
        "pesanan dengan nomor dan email.",
        "No. You can buy as a guest; keep the order page's link or find the order with its "
        "number and your email.",
    ),
    (
        "Di mana struk pembelian saya?",
        "Where is my receipt?",
        "Setelah pesanan berhasil, buka halaman pesanan dan pilih Struk. Struk yang sama "
        "dikirim ke email kamu.",
        "Once the order succeeds, open the order page and choose Receipt. The same receipt is "
        "sent to your email.",
    ),
]


@transaction.atomic
def load_demo_content() -> dict[str, int]:
    """Create what is missing; returns how many of each were created."""
    made = {"banners": 0, "icons": 0, "pages": 0, "faq": 0, "help": 0, "announcements": 0}
    for n, banner in enumerate(BANNERS):
        if Banner.objects.filter(title=banner.title).exists():
            continue
        start, end = PALETTE[n % len(PALETTE)]
        item = Banner(
            title=banner.title, title_en=banner.title_en, link=banner.link, sort_order=n + 1
        )
        item.image.save(
            f"demo-{n + 1}.png", banner_image(banner.headline, banner.subline, start, end), False
        )
        item.save()
        made["banners"] += 1
    if not Announcement.objects.exists():
        Announcement.objects.create(
            message="Baru: daftar harga semua item. Cek dulu sebelum beli.",
            message_en="New: a price list of every item. Check it before you buy.",
            link="/prices/",
        )
        made["announcements"] += 1
    for slug, (title, title_en, body, body_en) in PAGES.items():
        _, created = Page.objects.get_or_create(
            slug=slug,
            defaults={"title": title, "title_en": title_en, "body": body, "body_en": body_en},
        )
        made["pages"] += created
    if not FaqEntry.objects.exists():
        for n, (question, question_en, answer, answer_en) in enumerate(FAQ):
            FaqEntry.objects.create(
                question=question,
                question_en=question_en,
                answer=answer,
                answer_en=answer_en,
                sort_order=n + 1,
            )
            made["faq"] += 1
    products = {product.code: product for product in Product.objects.all()}
    for n, (code, (initials, glyph)) in enumerate(ICONS.items()):
        product = products.get(code)
        if product is None or product.icon:
            continue
        start, end = PALETTE[n % len(PALETTE)]
        product.icon.save(f"{code}.png", icon_image(initials, start, end, glyph), False)
        product.save(update_fields=["icon"])
        made["icons"] += 1
    for n, (code, (fields, text, text_en)) in enumerate(ID_HELP.items()):
        product = products.get(code)
        if product is None or product.id_help_text:
            continue
        start, end = PALETTE[n % len(PALETTE)]
        product.id_help_text, product.id_help_text_en = text, text_en
        product.id_help_image.save(
            f"{code}-id.png", id_help_image(product.title, fields, start, end), False
        )
        product.save(update_fields=["id_help_text", "id_help_text_en", "id_help_image"])
        made["help"] += 1
    # The owner's pins: these two lead Popular whatever sells.
    for position, code in enumerate(("mobile-legends", "free-fire"), start=1):
        Product.objects.filter(code=code, pin_order=None).update(pin_order=position)
    return made
