#!/usr/bin/env bash
# The documentation site builds without a warning: every page, rule link and anchor resolves,
# and regabi draws the example SVGs (docs/hooks/regabi_docs.py). Output goes to a temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/pip install -q -e '.[docs]'
out=$(mktemp -d)
trap 'rm -rf "$out" "$out.log"' EXIT
# not --quiet: it hides the warnings that --strict counts
if ! NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict -d "$out" >"$out.log" 2>&1; then
  cat "$out.log"
  exit 1
fi
test -s "$out/spec/assignment/index.html" && test -n "$(ls "$out"/generated/*.svg)"
echo "docs: mkdocs build --strict ok ($(ls "$out"/generated/*.svg | wc -l) generated SVGs)"
