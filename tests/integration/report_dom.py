"""Headless Chromium for the report tests: load a page, take what Chromium made of it (its DOM after
loading, --dump-dom), and read the charts' numbers from it.

    dom = render_dom("/path/report.html", workdir)      # a Node tree
    chart_values(dom)["fare-histogram"]                  # [data-value of every bar, in order]

Chromium is /usr/bin/chromium (Debian's, installed by scripts/setup.sh), run with its own profile in
`workdir` and stopped by PID with a deadline, helpers included.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from html.parser import HTMLParser

from harness import alive, descendants, kill_pids

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_DEADLINE = 120.0  # seconds for one headless load; it takes a second or two


# --- Chromium's DOM ------------------------------------------------------------------------------

class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Elements below (and including) this one with `tag` and every attribute in `attrs`
        (underscores in names stand for dashes; a value of None only asks for the attribute)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [n for n in self.iter()
                if (tag is None or n.tag == tag)
                and all(k in n.attrs and (v is None or n.attrs[k] == v) for k, v in wanted.items())]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        if len(found) != 1:
            raise AssertionError(f"expected one <{tag or '*'} {attrs}>, found {len(found)}")
        return found[0]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class DomBuilder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_dom(html: str) -> Node:
    builder = DomBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- processes -----------------------------------------------------------------------------------

def _pids_mentioning(needle: str) -> list[int]:
    """Live processes whose command line contains `needle` (a path unique to one test)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except OSError:
            continue
        if needle in cmdline and alive(int(entry)):
            found.append(int(entry))
    return found


def run_chromium(args: list[str], workdir: str) -> str:
    """Runs headless Chromium once with its own profile and home under `workdir`; returns stdout.

    Chromium's helpers outlive the browser by a moment, and its crash handler detaches itself (it
    is not a descendant then); all of them name the profile folder on their command lines, so
    whatever is still alive after the deadline is found by that and killed by PID.
    """
    profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
    env = dict(os.environ, HOME=profile, XDG_CONFIG_HOME=os.path.join(profile, "config"),
               XDG_CACHE_HOME=os.path.join(profile, "cache"))
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=workdir)
    try:
        out, err = proc.communicate(timeout=CHROMIUM_DEADLINE)
    except subprocess.TimeoutExpired:
        kill_pids(descendants(proc.pid) | {proc.pid})
        out, err = proc.communicate()
        raise AssertionError(f"chromium did not finish within {CHROMIUM_DEADLINE:.0f} s:\n"
                             f"{err[-4000:]}") from None
    finally:
        deadline = time.monotonic() + 10.0
        while _pids_mentioning(profile) and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_pids(_pids_mentioning(profile))
    if proc.returncode != 0:
        raise AssertionError(f"chromium exited with status {proc.returncode}:\n{err[-4000:]}")
    return out



def render_dom(page: str, workdir: str) -> Node:
    """The DOM headless Chromium built from the page at `page` (a path)."""
    return parse_dom(run_chromium(["--dump-dom", "file://" + os.path.abspath(page)], workdir))


def chart_values(dom: Node) -> dict[str, list[int]]:
    """For every <svg data-chart=NAME>, the data-value of each of its bars, in document order."""
    return {svg.attrs["data-chart"]: [int(n.attrs["data-value"]) for n in svg.find_all(data_value=None)]
            for svg in dom.find_all("svg", data_chart=None)}
