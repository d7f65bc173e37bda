"""The front page and the site's settings: what a reader meets first, and a site that renders
without internet."""

from __future__ import annotations

import re

import yaml

from tests.docs.samples import ROOT

_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def test_the_readme_is_under_200_lines() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 200, len(lines)


def test_the_relative_links_outside_docs_resolve() -> None:
    # Links inside docs/ are checked by `mkdocs build --strict`; these files are read on the forge.
    for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        targets = _LINK.findall(text)
        for target in targets:
            path = (ROOT / target.split("#", 1)[0]).resolve()
            assert path.exists(), f"{name}: a link to {target}, which does not exist"
    assert _LINK.findall((ROOT / "README.md").read_text(encoding="utf-8")), "the README links into the docs"


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may hold !!python/name tags (none today); read them as plain strings."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: str(node.value))


def test_the_site_loads_nothing_from_the_internet() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    assert config["theme"]["font"] is False  # Material would fetch Google Fonts
    for key in ("extra_css", "extra_javascript"):
        for asset in config.get(key, []):
            assert not str(asset).startswith(("http://", "https://", "//")), asset
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    for extension in extensions:
        # Mermaid (superfences custom fences) and emoji CDNs are loaded from the internet.
        assert "emoji" not in extension, extension
    assert "mermaid" not in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").rglob("*.md"):
        assert "```mermaid" not in page.read_text(encoding="utf-8"), page
