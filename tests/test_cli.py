"""The command line: outputs derived by hand from the ABI rules, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from regabi.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_layout_text_amd64(capsys: pytest.CaptureFixture[str]) -> None:
    # By hand (ASG-3, amd64 AX BX CX …, X0 …): int -> AX; string -> BX (data, pointer), CX (len);
    # result float64 -> X0. Spill: 8 + 16 = 24. No stack.
    code, out, _ = run(capsys, "layout", "func(a int, s string) float64", "--variant", "spec")
    assert code == 0
    assert "AX[0:8]" in out and "BX*[0:8] CX[8:16]" in out and "X0[0:8]" in out
    assert "spill area [0,24)" in out


def test_layout_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "layout", "func(p *int, x [2]int8) (string, error)", "--json")
    assert code == 0
    (rep,) = json.loads(out)  # always a list (docs/json-schema.md)
    assert rep["schema"] == "regabi.layout/2"
    for key in ("signature", "recv", "arch", "variant", "values", "stack_args_size",
                "ret_offset", "spill", "frame_type_size", "frame_size", "call_n", "stack_ptrs",
                "in_reg_ptrs", "out_reg_ptrs"):
        assert key in rep
    # By hand: *int -> AX (pointer); [2]int8 (array len 2) -> stack@0, 2 bytes; retOffset 8;
    # string -> AX, BX; error -> CX, DI (data word DI is the pointer). outRegPtrs AX, DI.
    p, x, s, e = rep["values"]
    assert p["regs"][0]["reg"] == "AX" and p["regs"][0]["pointer"]
    assert (x["where"], x["stack_offset"]) == ("stack", 0)
    assert rep["ret_offset"] == 8 and rep["stack_args_size"] == 2
    assert [r["reg"] for r in s["regs"]] == ["AX", "BX"]
    assert [r["reg"] for r in e["regs"]] == ["CX", "DI"]
    assert rep["out_reg_ptrs"] == ["AX", "DI"]
    assert rep["in_reg_ptrs"] == ["AX"]
    # frame type: align(8 + 0, 8) = 8; spill 8 (the *int); frameSize 16 -> call16
    assert (rep["frame_type_size"], rep["spill"], rep["frame_size"], rep["call_n"]) == (
        8, 8, 16, 16)


# Positions as the Go compiler reports them (go tool compile on "var _ SIG", go1.27.3): the
# missing parameter type at the closing parenthesis, the misplaced ... at the "...".
@pytest.mark.parametrize("sig,where", [
    ("func(a int", "1:11"),
    ("func(a foo)", "1:8"),
    ("func(a, b int, c)", "1:17"),
    ("func[T any](x T)", "1:5"),
    ("func(x [1<<62]int64)", "1:8"),
    ("func(a ...int, b int)", "1:8"),
])
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], sig: str,
                                      where: str) -> None:
    code, out, err = run(capsys, "layout", sig)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert f":{where}:" in err


def test_unknown_arch_and_variant(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "layout", "func()", "--arch", "vax")
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    code, _, err = run(capsys, "layout", "func()", "--variant", "future")
    assert code == 2 and "unknown variant" in err


def test_batch_reports_each_item(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    f = tmp_path / "b.json"
    f.write_text(json.dumps(["func(int) int", "func(x T)", {"signature": "func(bool)",
                                                            "arch": "arm64"}, 7]))
    code, out, _ = run(capsys, "layout", "--batch", str(f))
    items = json.loads(out)
    assert code == 1
    assert [i["ok"] for i in items] == [True, False, True, False]
    assert items[1]["error"] == "item 1:1:8: undefined: T"
    assert items[2]["result"]["values"][0]["regs"][0]["reg"] == "R0"  # arm64's first int reg
    assert "item 3" in items[3]["error"]


def test_batch_bad_json(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    f = tmp_path / "b.json"
    f.write_text('["func()",')
    code, _, err = run(capsys, "layout", "--batch", str(f))
    assert code == 2 and err.count("\n") == 1 and "invalid JSON" in err


def test_layout_file(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    f = tmp_path / "x.go"
    f.write_text("package x\n\ntype S struct{ a int8; p *S }\n\n"
                 "func F(s S, n int) *S { return nil }\n\n"
                 "func (s *S) M(x float64) {}\n")
    code, out, _ = run(capsys, "layout", str(f), "--json")
    assert code == 0
    reps = json.loads(out)
    assert [r["name"] for r in reps] == ["F", "(*S).M"]
    # F: S is {int8 @0, *S @8}: AX (a), BX (p, pointer); n -> CX
    assert [r["reg"] for r in reps[0]["values"][0]["regs"]] == ["AX", "BX"]
    # (*S).M: receiver word AX; x -> X0
    assert reps[1]["values"][0]["role"] == "recv"
    assert reps[1]["values"][1]["regs"][0]["reg"] == "X0"


def test_diff_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "func(int, string) error")
    assert code == 0 and "agree" in out
    # By hand (TYP-6, FRM-2/3): struct{a int8; z [0]int64} is 16 bytes in one register; the
    # spec spills it in 16 bytes, then b at 16: needs 24; the seed reserves 8 per register: 16.
    code, out, _ = run(capsys, "diff", "func(s struct{ a int8; z [0]int64 }, b int) int")
    assert code == 1 and "24 needed" in out and "16 reserved" in out
    # every frame field is compared, the bitmaps included: the seed reserves a 16-byte spill
    # area where the spec needs 24 (above), so the spill row differs too
    assert any(ln.startswith("  ! spill area size") and "24" in ln and "16" in ln
               for ln in out.splitlines())
    assert "stack ptr bitmap" in out and "in-register ptrs" in out


def test_check_layout_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--layout-only", "--random", "200", "--json",
                       "--strict")
    verdicts = json.loads(out)
    assert code == 1  # the seed is flawed, and --strict counts every finding
    cur = {v["invariant"]: v["status"] for v in verdicts if v["variant"] == "current"}
    seed = {v["invariant"]: v["status"] for v in verdicts if v["variant"] == "seed"}
    assert "FALSIFIED" not in cur.values()
    assert seed["INV-ABI0"] == "FALSIFIED"  # the built-in corpus has the [0]int64 case


def test_console_script_never_tracebacks() -> None:
    p = subprocess.run([sys.executable, "-m", "regabi", "layout", "func(a int"],
                       capture_output=True, text=True, check=False)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and p.stderr.count("\n") == 1


def test_invariants_lists_both_catalogues(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "invariants")
    assert code == 0 and "INV-ASSIGN-AGREE" in out and "INV-GC-UAF" in out


def test_check_with_explorer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--no-z3", "--random", "50", "--json", "--strict")
    rows = json.loads(out)
    assert code == 1
    gc = {(r["invariant"], r["variant"], r["status"]) for r in rows if r["checker"] == "explore"}
    assert ("INV-GC-UAF", "seed", "VIOLATED") in gc
    assert all(st == "HOLDS" for inv, var, st in gc if var == "current")
