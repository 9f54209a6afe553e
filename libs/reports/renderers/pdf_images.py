"""Pictures of the PDF report: an 8-bit RGB PNG goes into the PDF with its compressed
pixels as they are.

fpdf2 decodes every PNG and compresses its pixels again for the PDF (~8 ms for a chart of
1050 × 300 pixels). A PDF image can hold a PNG's pixel stream unchanged: PNG compresses
rows, each prefixed with its filter type, with zlib, which is what a FlateDecode stream with
``/Predictor 15`` (PNG predictors, chosen per row) and the image's colours and columns
decodes (PDF 32000-1, 7.4.4.4). So for a non-interlaced 8-bit RGB PNG — every chart the
formatter draws — the concatenated IDAT data is handed to fpdf as the image's stream,
through fpdf's image cache, which ``FPDF.image`` looks a picture up in by name before
reading it. Any other PNG (a palette, an alpha channel, 16 bits, interlaced: graphs a run
exported) is decoded by fpdf as before.
"""

from __future__ import annotations

import hashlib
import io
import struct

from fpdf import FPDF
from fpdf.image_datastructures import RasterImageInfo

_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: IHDR's bit depth, colour type (2: RGB), compression, filter and interlace methods.
_RGB8 = (8, 2, 0, 0, 0)


def picture(pdf: FPDF, png: bytes) -> str | io.BytesIO:
    """What to pass ``pdf.image`` for ``png``: the name of its pixel stream in the
    document's image cache when the PNG is 8-bit RGB, else the PNG for fpdf to decode."""
    info = _rgb8_info(png)
    if info is None:
        return io.BytesIO(png)
    name = f"ss-png-{hashlib.sha256(png).hexdigest()}"
    images = pdf.image_cache.images
    if name not in images:
        # As fpdf's own loading records a picture: its number, no use yet (FPDF.image
        # counts this one), no ICC profile.
        info["i"] = len(images) + 1
        info["usages"] = 0
        info["iccp_i"] = None
        images[name] = info
    return name


def _rgb8_info(png: bytes) -> RasterImageInfo | None:
    """fpdf's description of ``png`` with its IDAT stream as the data, or None when the PNG
    is not a non-interlaced 8-bit RGB image."""
    if not png.startswith(_SIGNATURE):
        return None
    position, width, height, idat = len(_SIGNATURE), 0, 0, []
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        data = png[position + 8:position + 8 + length]
        position += 12 + length  # length, type, data, CRC
        if kind == b"IHDR":
            width, height, *header = struct.unpack(">IIBBBBB", data)
            if tuple(header) != _RGB8:
                return None
        elif kind == b"IDAT":
            idat.append(data)
        elif kind in (b"tRNS", b"iCCP"):
            return None  # a transparent colour or a colour profile: leave the PNG to fpdf
        elif kind == b"IEND":
            break
    if not (width and height and idat):
        return None
    info = RasterImageInfo()
    info.update({"data": b"".join(idat), "w": width, "h": height, "cs": "DeviceRGB",
                 "iccp": None, "dpn": 3, "bpc": 8, "f": "FlateDecode", "inverted": False,
                 "dp": f"/Predictor 15 /Colors 3 /Columns {width}"})
    return info
