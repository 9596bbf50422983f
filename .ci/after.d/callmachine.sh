#!/usr/bin/env bash
# The call machine on every modelled architecture: `current` must HOLD at K=2, M=2 on 1000 seeded
# random signatures per architecture (issue 8); also prints the explorer's speed per arch
# (docs/performance.md "Call machine per architecture"). About 2 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/python bench/bench_explore.py --random 1000
