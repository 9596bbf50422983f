"""MkDocs hooks for the regabi site (mkdocs.yml ``hooks:``).

* ``spec/*.md`` become pages under ``spec/`` (the specification stays where the model loads
  it), and ``spec/arch/*.toml`` a generated page of architecture tables.
* Every rule ID (ASG-3, TYP-10, CALL-9, INV-BITMAP-STACK, F-1, …) gets an anchor where it is
  defined and becomes a link wherever it is mentioned; ``rules.md`` is a generated index.
* ``<!-- regabi:frame sig="…" variant="…" [arch="…"] [recv="…"] -->``,
  ``<!-- regabi:frame example="abi-internal" variant="…" -->`` and
  ``<!-- regabi:trace sig="…" variant="…" -->`` in a page are replaced by an SVG that regabi
  draws at build time (never committed): a frame (``regabi layout SIG --svg``) or the
  explorer's counterexample traces (``regabi explore SIG --json`` → ``regabi render-trace``).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"

_ID = r"(?:TYP|SIG|ASG|RFL|FRM|BMP|REGARGS|ARCH|VAR|CALL|GC|F|S)-\d+|INV-[A-Z0-9]+(?:-[A-Z0-9]+)*"
ID_RE = re.compile(rf"(?<![\w#/-])({_ID})(?![\w-])")
_DEF_PATTERNS = (
    re.compile(rf"^(\s*- )?\*\*({_ID})\b"),  # **ASG-3 (title).** paragraph or list item
    re.compile(rf"^\| ({_ID})\b"),  # a table row's first cell
    re.compile(rf"^#+ ({_ID})\b"),  # a heading: ### F-1 — …
)
_CATALOGUE_LINE = re.compile(rf"(?:^|, )({_ID}) \(")  # "INV-GC-UAF (GC-3, GC-6), …"
MARKER = re.compile(r"<!--\s*regabi:(frame|trace)\s+(.*?)\s*-->")
ATTR = re.compile(r'(\w+)="([^"]*)"')
_PROTECT = re.compile(r"(`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^>]+>)")

_defs: dict[str, tuple[str, str]] = {}  # rule ID -> (page src_uri, title text)
_svgs: dict[str, tuple[str, str]] = {}  # marker text -> (generated src_uri, caption)


# ------------------------------------------------------------------------------ definitions


def _definitions(uri: str, md: str) -> None:
    for line in _lines_outside_fences(md):
        for pat in _DEF_PATTERNS:
            m = pat.match(line)
            if m:
                rid = m.group(m.lastindex or 1)
                _defs.setdefault(rid, (uri, _title(line, rid)))
                break
        else:
            if re.match(rf"^({_ID}) \(", line):
                for m in _CATALOGUE_LINE.finditer(line):
                    _defs.setdefault(m.group(1), (uri, ""))


def _title(line: str, rid: str) -> str:
    rest = line.split(rid, 1)[1]
    m = re.match(r"\s*\(([^)]*)\)", rest)  # **ASG-3 (decomposition).**
    if m:
        return m.group(1)
    rest = rest.strip(" |*—-.")
    return rest.split("|")[0].strip()[:80]


def _lines_outside_fences(md: str) -> list[str]:
    out, fence = [], False
    for line in md.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if not fence:
            out.append(line)
    return out


# ------------------------------------------------------------------------------ SVG markers


def _attrs(text: str) -> dict[str, str]:
    return dict(ATTR.findall(text))


def _frame(a: dict[str, str]) -> tuple[str, str]:
    from regabi.model.arch import load_arch
    from regabi.model.syntax import parse_signature
    from regabi.render.frame import abi_internal_example, frame_svg

    variant = a.get("variant", "current")
    if a.get("example") == "abi-internal":
        sig, arch = abi_internal_example()
        cap = (f"abi-internal.md's worked example, `{sig.go()}`, on a 64-bit machine with "
               f"integer registers R0–R9 ({variant})")
    else:
        sig = parse_signature(a["sig"], recv=a.get("recv"))
        arch = load_arch(a.get("arch", "amd64"))
        recv = f" --recv '{a['recv']}'" if a.get("recv") else ""
        cap = (f"`regabi layout '{a['sig']}'{recv} --arch {arch.name} --variant {variant} "
               "--svg F`")
    return frame_svg(sig, arch, variant), cap


def _trace(a: dict[str, str]) -> tuple[str, str]:
    from regabi.render.trace import trace_svg

    cmd = [sys.executable, "-m", "regabi", "explore", a["sig"], "--variant",
           a.get("variant", "seed"), "--json"]
    if a.get("recv"):
        cmd += ["--recv", a["recv"]]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    title = f"regabi explore '{a['sig']}' --variant {a.get('variant', 'seed')}"
    cap = f"`{title} --json | regabi render-trace - -o F`"
    return trace_svg(json.loads(proc.stdout), title=title), cap


def _generate(kind: str, text: str, config: Any, files: Files) -> None:
    if text in _svgs:
        return
    a = _attrs(text)
    svg, cap = _frame(a) if kind == "frame" else _trace(a)
    uri = f"generated/{kind}-{hashlib.sha1(text.encode()).hexdigest()[:12]}.svg"
    files.append(File.generated(config, uri, content=svg))
    _svgs[text] = (uri, cap)


# ------------------------------------------------------------------------------ hooks


def on_files(files: Files, config: Any) -> Files:
    _defs.clear()
    _svgs.clear()
    for p in sorted(SPEC.glob("*.md")):
        files.append(File.generated(config, f"spec/{p.name}", abs_src_path=str(p)))
    tables = ["# Architecture tables", "",
              "The data the model loads (`spec/arch/*.toml`, rules ARCH-1 … ARCH-15 in "
              "[arch.md](../arch.md)).", ""]
    for p in sorted((SPEC / "arch").glob("*.toml")):
        tables += [f"## {p.stem}", "", "```toml", p.read_text().rstrip(), "```", ""]
    files.append(File.generated(config, "spec/arch/index.md", content="\n".join(tables)))
    pages = [f for f in files if f.src_uri.endswith(".md")]
    for f in pages:
        md = f.content_string
        _definitions(f.src_uri, md)
        for m in MARKER.finditer(md):
            _generate(m.group(1), m.group(0), config, files)
    rows = ["# Rule index", "", "Every rule, invariant and finding ID, where it is defined.", "",
            "| ID | defined in | title |", "|---|---|---|"]
    for rid in sorted(_defs, key=_sort_key):
        uri, title = _defs[rid]
        rows.append(f"| {rid} | [{uri}]({uri}#{rid}) | {title.replace('|', '/')} |")
    files.append(File.generated(config, "rules.md", content="\n".join(rows) + "\n"))
    return files


def _sort_key(rid: str) -> tuple[str, int, str]:
    m = re.match(r"([A-Z]+)-(\d+)$", rid)
    return (m.group(1), int(m.group(2)), "") if m else (rid.split("-")[0], 0, rid)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    uri = page.file.src_uri
    here = posixpath.dirname(uri)
    if uri == "rules.md":
        return markdown
    if uri == "spec/README.md":
        markdown = markdown.replace("](arch/)", "](arch/index.md)")

    def svg(m: re.Match[str]) -> str:
        target, cap = _svgs[m.group(0)]
        rel = posixpath.relpath(target, here or ".")
        return f"![{m.group(1)}: {_attrs(m.group(2)).get('sig', 'example')}]({rel})\n\n*{cap}*"

    markdown = MARKER.sub(svg, markdown)
    out, fence = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            out.append(line)
            continue
        if fence:
            out.append(line)
            continue
        out.append(_anchor(_link(line, uri, here), uri))
    return "\n".join(out)


def _link(line: str, uri: str, here: str) -> str:
    if line.startswith("#"):
        return line

    def repl(m: re.Match[str]) -> str:
        rid = m.group(1)
        if rid not in _defs:
            return rid
        page, _ = _defs[rid]
        before, after = m.string[:m.start()], m.string[m.end():m.end() + 2]
        catalogue = re.match(rf"^({_ID}) \(", m.string) and after == " (" and (
            before == "" or before.endswith(", "))
        if page == uri and (before.endswith("**") or before.strip() == "|" or catalogue):
            return rid  # the definition itself
        rel = "" if page == uri else posixpath.relpath(page, here or ".")
        return f"[{rid}]({rel}#{rid})"

    parts = _PROTECT.split(line)
    for i in range(0, len(parts), 2):
        parts[i] = ID_RE.sub(repl, parts[i])
    return "".join(parts)


def _anchor(line: str, uri: str) -> str:
    for pat in _DEF_PATTERNS:
        m = pat.match(line)
        if m:
            rid = m.group(m.lastindex or 1)
            if _defs.get(rid, ("",))[0] != uri:
                return line
            if line.startswith("#"):
                return f"{line} {{#{rid}}}"
            at = m.start(m.lastindex or 1) - (2 if pat is _DEF_PATTERNS[0] else 0)
            return f'{line[:at]}<a id="{rid}"></a>{line[at:]}'
    if re.match(rf"^({_ID}) \(", line):
        return _CATALOGUE_LINE.sub(
            lambda m: m.group(0).replace(m.group(1), f'<a id="{m.group(1)}"></a>{m.group(1)}')
            if _defs.get(m.group(1), ("",))[0] == uri else m.group(0), line)
    return line
