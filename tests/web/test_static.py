"""The workspace pages keep to the rules that make escaping and the CSP hold (issue 10):
markup only through ``html``/``setHTML`` (app.js), no inline script, style or handler."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "detente" / "web"
SCRIPTS = sorted((WEB / "static").glob("*.js"))
PAGES = sorted((WEB / "templates").glob("*.html"))
RAW_SINKS = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function"
)


def test_only_app_js_writes_markup() -> None:
    assert len(SCRIPTS) >= 7
    for path in SCRIPTS:
        text = path.read_text(encoding="utf-8")
        hits = [m.group(0) for m in RAW_SINKS.finditer(text)]
        if path.name == "app.js":  # setHTML and appendHTML, each behind the Html check
            assert hits == ["innerHTML", "innerHTML", "insertAdjacentHTML"], hits
        else:
            assert hits == [], (path.name, hits)
        # no markup built from a plain template literal: every `<tag ...` template is html``
        for m in re.finditer(r"(\w*)`\s*<[a-z]", text):
            assert m.group(1) == "html", (path.name, text[m.start() : m.start() + 80])


def test_pages_have_no_inline_script_style_or_handlers() -> None:
    assert len(PAGES) >= 5
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path.name
        assert "<style" not in text and " style=" not in text, path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name
        assert "javascript:" not in text, path.name
        for src in re.findall(r'(?:src|href)="([^"#?]+)', text):
            assert src.startswith("/") and not src.startswith("//"), (path.name, src)


def test_the_html_tag_escapes_attributes_and_text() -> None:
    """The escaping table of app.js covers the characters that end a text or attribute."""
    app = (WEB / "static" / "app.js").read_text(encoding="utf-8")
    table = re.search(r"const ESC = \{(.*?)\};", app)
    assert table is not None
    for ch in ("&", "<", ">", '"', "'", "`"):
        assert repr(ch)[1:-1] in table.group(1) or ch in table.group(1), ch
