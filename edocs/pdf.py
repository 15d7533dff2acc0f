"""HTML → PDF with WeasyPrint, from the same templates and print.css the browser prints.

A Vietnamese-capable font (DejaVu Serif, Debian's fonts-dejavu-core) is embedded, so the PDF
reads the same on any machine. Only our static files, that font directory and `data:` URLs
are fetched: rendering never reaches the network.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext_lazy as _

FONT_FAMILY = "DejaVu Serif"
FONT_FILES = (("normal", "DejaVuSerif.ttf"), ("bold", "DejaVuSerif-Bold.ttf"))
# Template links (`/static/…`) resolve against this address and are served from the finders.
BASE_URL = "https://motcua.invalid/"
# A user stylesheet: its rules need !important to win over print.css (the document's own).
PDF_CSS = """
body, .code, .key, .url { font-family: "FAMILY" !important; }
body.print { font-size: 11.5pt !important; line-height: 1.3 !important; }
.doc-header .issuer, .nation, .sign-hint, .sign-unit { font-size: 11pt !important; }
.motto-line, .doc-number { font-size: 12pt !important; }
.form-title { font-size: 13pt !important; }
.muted { font-size: 10.5pt !important; }
.sign-name { margin-top: 3.5em !important; }
.lookup .qr svg { width: 2.6cm !important; height: 2.6cm !important; }
"""
FONT_MISSING = _("Thiếu phông chữ %(path)s để tạo PDF (cài gói fonts-dejavu-core hoặc đặt PORTAL_PDF_FONT_DIR).")


class PdfUnavailable(Exception):
    """The PDF cannot be made on this machine (a font or a native library is missing)."""


def font_paths() -> list[tuple[str, Path]]:
    folder = Path(settings.PORTAL_PDF_FONT_DIR)
    paths = [(weight, folder / name) for weight, name in FONT_FILES]
    for _weight, path in paths:
        if not path.is_file():
            raise PdfUnavailable(FONT_MISSING % {"path": path})
    return paths


def font_css() -> str:
    faces = "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}\n'
        for weight, path in font_paths()
    )
    # Every text of the forms in the embedded font (print.css asks for Times New Roman, absent on
    # servers); DejaVu Serif runs wider than Times, so a point smaller keeps a form on its page.
    return faces + PDF_CSS.replace("FAMILY", FONT_FAMILY)


def _static_path(url: str) -> Path | None:
    prefix = urlsplit(BASE_URL).path + settings.STATIC_URL.lstrip("/")
    path = urlsplit(url).path
    if not url.startswith(BASE_URL) or not path.startswith(prefix):
        return None
    found = finders.find(unquote(path[len(prefix) :]))
    return Path(found) if found else None


def _font_path(url: str) -> Path | None:
    if not url.startswith("file:"):
        return None
    path = Path(unquote(urlsplit(url).path)).resolve()
    return path if path.parent == Path(settings.PORTAL_PDF_FONT_DIR).resolve() and path.is_file() else None


def local_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url) or _font_path(url)
            if path is None:
                raise ValueError(f"not fetched for a PDF: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return LocalFetcher(fail_on_errors=True)


def html_to_pdf(html: str) -> bytes:
    """The page as PDF bytes, the font embedded (subset to the glyphs used)."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except OSError as exc:  # Pango or its friends are not installed
        raise PdfUnavailable(str(exc)) from exc
    fetcher, fonts = local_fetcher(), FontConfiguration()
    css = weasyprint.CSS(string=font_css(), base_url=BASE_URL, url_fetcher=fetcher, font_config=fonts)
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=fonts)


def image_to_pdf(content: bytes, content_type: str, title: str) -> bytes:
    """A scanned result (JPEG, PNG) on an A4 page, so that it can be signed as a PDF."""
    import base64

    from django.utils.html import escape

    src = f"data:{content_type};base64,{base64.b64encode(content).decode()}"
    html = (
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 1cm; } img { max-width: 100%; max-height: 27.5cm; }</style>"
        f"</head><body><img src='{src}' alt=''></body></html>"
    )
    return html_to_pdf(html)
