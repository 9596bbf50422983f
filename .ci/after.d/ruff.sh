#!/usr/bin/env bash
# Lint (the developers' guide: ruff clean in CI): every Python file of the repository, with the
# rules of pyproject.toml [tool.ruff]. ruff is in the `test` extra the README's test command
# installs.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/ruff check .
echo "ruff: clean"
