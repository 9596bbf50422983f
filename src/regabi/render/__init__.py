"""Rendering of layouts and traces: pointer bitmaps in linear time (``bitmap``), plain-language
spans and places (``words``), SVG pictures of a call frame (``frame``) and of a GC-explorer trace
(``trace``). Standard library only, so that ``regabi layout`` keeps starting fast."""
