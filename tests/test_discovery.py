"""Which pages each phase visits: same site, deduplicated, both discovery sources represented."""

import pytest

from leakmap.crawler.discovery import choose_pages, page_key, parse_sitemap, robots_sitemaps
from leakmap.crawler.runner import BadInput, check_url, read_sites_file

SITE = ["maison-lumiere.fr"]


def test_page_key_ignores_fragment_and_query_order():
    assert page_key("https://www.maison-lumiere.fr/a?b=2&a=1#top") == page_key("https://www.maison-lumiere.fr/a?a=1&b=2")
    assert page_key("https://WWW.maison-lumiere.fr") == page_key("https://www.maison-lumiere.fr/")


def test_choose_pages_alternates_sources_and_filters():
    links = [
        "https://www.maison-lumiere.fr/",  # the landing page again
        "https://www.maison-lumiere.fr/a.html",
        "https://www.maison-lumiere.fr/a.html#reviews",  # same page
        "https://www.facebook.com/maisonlumiere",  # another site
        "https://www.maison-lumiere.fr/brochure.pdf",  # not a page
        "https://www.maison-lumiere.fr/logout",
        "https://shop.maison-lumiere.fr/b.html",  # same registrable domain
        "https://www.maison-lumiere.fr/c.html",
    ]
    sitemap = ["https://www.maison-lumiere.fr/secret.html", "https://www.maison-lumiere.fr/d.html"]
    pages = choose_pages("https://www.maison-lumiere.fr/", [links, sitemap], 4, SITE)
    assert pages == [
        "https://www.maison-lumiere.fr/",
        "https://www.maison-lumiere.fr/a.html",
        "https://www.maison-lumiere.fr/secret.html",
        "https://shop.maison-lumiere.fr/b.html",
    ]


def test_sitemap_parsing():
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://www.maison-lumiere.fr/a.html</loc></url><url><loc>https://www.maison-lumiere.fr/b.html</loc></url></urlset>"""
    assert parse_sitemap(urlset) == ("urlset", ["https://www.maison-lumiere.fr/a.html", "https://www.maison-lumiere.fr/b.html"])
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://x.fr/s1.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index) == ("sitemapindex", ["https://x.fr/s1.xml"])
    assert parse_sitemap(b"<html>not a sitemap</html>")[1] == []


def test_robots_sitemap_lines():
    text = "User-agent: *\nDisallow: /admin\nSitemap: /sitemap-pages.xml\nsitemap: https://cdn.x.fr/s.xml\n"
    assert robots_sitemaps(text, "https://www.x.fr/robots.txt") == ["https://www.x.fr/sitemap-pages.xml", "https://cdn.x.fr/s.xml"]


@pytest.mark.parametrize("url, message", [
    ("www.example.fr", "give it with its scheme"),
    ("ftp://example.fr/", "unsupported scheme 'ftp'"),
    ("file:///etc/passwd", "unsupported scheme 'file'"),
    ("https://", "no valid host"),
    ("https://exa mple.fr/", "no valid host"),
    ("https://example.fr:99999/", "not a valid URL"),
    ("", "empty URL"),
])
def test_bad_urls_say_what_is_wrong(url, message):
    with pytest.raises(BadInput, match=message):
        check_url(url)


def test_good_url_gets_a_path():
    assert check_url(" https://www.example.fr ") == "https://www.example.fr/"


def test_sites_file_comments(tmp_path):
    f = tmp_path / "sites.txt"
    f.write_text("# client sites\nhttps://a.fr/\n\n  https://b.de/  # staging later\n")
    assert read_sites_file(f) == ["https://a.fr/", "https://b.de/"]


def test_depth_two_finds_pages_linked_from_subpages(tmp_path):
    """--depth 2: pages linked only from a sub-page are found (read without rendering, in the
    discovery profile), and every phase then visits the same list."""
    import json

    from leakmap.store import Store
    from tests.scan_checks import run_leakmap
    from tests.web.server import TestWeb

    root = tmp_path / "web"
    pages = {
        "www.deep-site.fr/index.html": "<title>Home</title><a href='/a.html'>a</a>",
        "www.deep-site.fr/a.html": "<title>A</title><a href='/b.html'>b</a>",
        "www.deep-site.fr/b.html": "<title>B</title><p>deep</p>",
    }
    for path, body in pages.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body)
    with TestWeb(root) as web:
        proc = run_leakmap("scan", "https://www.deep-site.fr/", "-o", str(tmp_path / "out"), "--host-rules", web.host_rules,
                           "--ignore-https-errors", "--depth", "2", "--pages", "3", "--phases", "baseline,reject",
                           "--no-screenshots")
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = Store(tmp_path / "out" / "leakmap.db")
    site = next(store.db.query("select * from sites"))
    assert json.loads(site["pages"]) == ["https://www.deep-site.fr/", "https://www.deep-site.fr/a.html",
                                         "https://www.deep-site.fr/b.html"]
    for phase in ("baseline", "reject"):
        urls = [v["url"] for v in store.db.query("select url from visits where phase = ? order by seq", [phase])]
        assert urls == json.loads(site["pages"])
    # the sub-page was read for its links in the discovery profile, which says so in its user agent;
    # each phase's visit of it looks like a visitor's browser
    reads = [e for e in web.log if e.path == "/a.html"]
    discovery = [e for e in reads if "leakmap-discovery/" in e.headers.get("user-agent", "")]
    assert len(discovery) == 1 and len(reads) == 3, [e.headers.get("user-agent") for e in reads]
    assert discovery[0].time < min(e.time for e in reads if e not in discovery)
