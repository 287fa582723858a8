#!/usr/bin/env python3
"""The coursework grader never hangs on, nor leaves behind, what a submitted test starts.

Runs attn_course.run_test on stand-in test executables (shell scripts printing doctest's summary
line) in a temporary tree, and asserts the status each gets and that none of their processes
outlives the grading: a test that leaves a process in a session of its own holding the output
(which hung the grader when it read a pipe), one that never ends, one that floods its output,
one that passes. Also: a manifest whose executable leaves the build tree is refused.
    grader_processes.py   (no arguments; needs Linux /proc)
"""
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "coursework"))
import attn_course  # noqa: E402

SUMMARY = 'echo "[doctest] test cases: 1 | 1 passed | 0 failed | 0 skipped"'
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAILED:", what)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] not in "ZX"
    except OSError:
        return False


def run(tree, name, script, timeout):
    exe = tree / "build" / "tests" / name
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)
    start = time.monotonic()
    status, output = attn_course.run_test(tree, {"executable": name, "cases": "*"}, "ch0.none", timeout)
    return status, output, time.monotonic() - start


with tempfile.TemporaryDirectory() as top:
    tree = Path(top)
    (tree / "build" / "tests").mkdir(parents=True)
    check(attn_course.become_subreaper(), "the grader can become a child subreaper on Linux")
    pids = tree / "pids"

    # A daemon in its own session, holding stdout open: a pipe reader would wait for it forever.
    status, output, seconds = run(tree, "leaves_daemon", f"setsid sh -c 'echo $$ >> {pids}; sleep 300' &\nsleep 0.2\n{SUMMARY}", 30)
    check(status == "left processes running", f"a test leaving a setsid daemon: status '{status}'")
    check(seconds < 10, f"a test leaving a daemon is graded at once, not after the daemon ({seconds:.1f} s)")
    check("the test ended but left" in output and "processes running" in output, f"the report says so: {output[:120]!r}")

    # Never ends (with a child of its own): stopped at the time limit, its child too.
    status, output, seconds = run(tree, "endless", f"sh -c 'echo $$ >> {pids}; sleep 300' &\nsleep 300", 1)
    check(status == "timed out", f"an endless test: status '{status}'")
    check(seconds < 5, f"an endless test stops at its 1 s limit ({seconds:.1f} s)")

    # Floods its output: only the end is kept.
    status, output, _ = run(tree, "flood", f"head -c 50000000 /dev/zero | tr '\\0' 'x'; echo; {SUMMARY}", 60)
    check(status == "passed", f"a flooding test that passes: status '{status}'")
    check(len(output) < 2 * attn_course.OUTPUT_LIMIT, f"the output kept is bounded ({len(output)} characters)")

    status, output, _ = run(tree, "passes", SUMMARY, 30)
    check(status == "passed", f"a plain passing test: status '{status}'")

    time.sleep(0.2)
    leftovers = [int(p) for p in pids.read_text().split()] if pids.exists() else []
    check(len(leftovers) == 2, f"both stand-ins started their child ({leftovers})")
    check(not any(alive(p) for p in leftovers), "no process a test started is still running")
    check(not attn_course.descendants(), "the grader has no descendants left")

# A hidden manifest naming an executable outside the graded build is refused, in one line.
exercise = next(iter(attn_course.all_exercises()))
for bad in ["../../../bin/sh", "/bin/sh"]:
    try:
        attn_course.load_manifest(attn_course.MANIFEST, {}, {"exercises": {exercise: [
            {"name": "x", "executable": bad, "cases": "*", "points": 1}]}}, "hidden/manifest.json")
        check(False, f"the executable '{bad}' is refused")
    except attn_course.KitError as error:
        check("is not a path inside the graded build's tests/ folder" in str(error), f"the refusal names the problem: {error}")

print("grader processes:", "all checks passed" if not failures else f"{len(failures)} failed")
sys.exit(1 if failures else 0)
