#!/usr/bin/env bash
# Type checks (issue 10): strict on the library surface (regabi/__init__.py, errors, verdict,
# runctl: what `import regabi` users and the CLI's exit statuses rest on); the CLI, the
# render package, every checker (proofs/), and the model's algorithm and type modules at mypy's
# default level, and the Go front end (syntax, goconst, gopkg), the corpus, gocheck, gotool, the
# oracle and the strategies; the call machine (callmachine, gcrt) and the paths models
# (makefunc, methodvalue, wincallback, finalizer) too (issue 10 item 12), so every module of the
# package is checked, and spec/oracle/regen.py.
# setuptools maps regabi.model -> model/ etc. (package-dir), which mypy cannot follow through
# an editable install, so the check runs on a tree of symlinks laid out as the package is.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/pip install -q 'mypy>=1.10'
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/regabi"
for f in src/regabi/*; do ln -s "$PWD/$f" "$tree/regabi/$(basename "$f")"; done
ln -s "$PWD/model" "$tree/regabi/model"
ln -s "$PWD/proofs" "$tree/regabi/proofs"
ln -s "$PWD/spec" "$tree/regabi/spec"
cd "$tree"
strict=(regabi/__init__.py regabi/errors.py regabi/verdict.py regabi/runctl.py)
"$OLDPWD/.venv/bin/mypy" --strict --follow-imports=silent --ignore-missing-imports \
  --cache-dir="$tree/.cache" --no-error-summary "${strict[@]}"
"$OLDPWD/.venv/bin/mypy" --follow-imports=silent --ignore-missing-imports --cache-dir="$tree/.cache" \
  --no-error-summary regabi/cli.py regabi/render regabi/model/report.py regabi/model/arch.py \
  regabi/proofs regabi/model/domain.py regabi/model/summary.py regabi/model/assign.py \
  regabi/model/joint.py regabi/model/invariants.py regabi/model/valuecall.py \
  regabi/model/specialize.py regabi/model/specialize_rules.py \
  regabi/model/variants.py regabi/model/types.py regabi/model/sig.py \
  regabi/model/syntax.py regabi/model/goconst.py regabi/model/gopkg.py regabi/model/corpus.py \
  regabi/gocheck regabi/gotool regabi/oracle.py regabi/strategies.py regabi/__main__.py \
  regabi/model/__init__.py regabi/model/callmachine.py regabi/model/mfmachine.py regabi/model/gcrt.py \
  regabi/model/makefunc.py regabi/model/methodvalue.py regabi/model/wincallback.py \
  regabi/model/finalizer.py regabi/spec
echo "mypy: strict on ${strict[*]}; default on cli, render, proofs, the whole model (algorithms, front end, call machine, paths models), gocheck, gotool, oracle"
