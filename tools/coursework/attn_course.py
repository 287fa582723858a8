#!/usr/bin/env python3
"""attn coursework kit: exercises marked in the real code, student trees, and an autograder.

An exercise is a function body (or a lambda body) in the library or a chapter, marked in place:

    Tensor AdditiveScore::scores(const Tensor& query, const Tensor& prepared) const {
        // EXERCISE ch2.additive_score (4 points): the additive score e_tj = v_a^T tanh(W_a s + U_a h_j)
        ...the reference solution: what the normal build compiles...
        // END EXERCISE ch2.additive_score
    }

Commands (README.md, "Using attn in a course"):
    list                          the exercises: id, points, file, title
    check                         markers, manifest and ASSIGNMENT.md files agree (the test suite runs it)
    student OUT [--tarball]       a copy of the repository without the selected solutions
    grade SUBMISSION --out DIR    builds a submission, runs each exercise's tests, writes
                                  results.json (Gradescope) and junit.xml
    order                         each exercise's tests pass while every exercise listed after it
                                  (ASSIGNMENT.md tables, chapter by chapter) is still unfinished
Selection, for student and grade: --chapter N (repeatable), --exercise ID (repeatable); default all.

Grading isolates exercises: the graded tree holds the submission's code and the reference
solution side by side in every region, and while exercise X's tests run (environment variable
ATTN_EXERCISE_UNDER_TEST=X) only X takes the submission's code. So an unfinished exercise never
costs another one its points, and each exercise's tests run in their own process with a time limit.
Python 3 standard library only: meson already needs Python 3.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the reference repository: this file is tools/coursework/
MANIFEST = ROOT / "tools" / "coursework" / "manifest.json"
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}
BEGIN = re.compile(r"^(?P<indent>\s*)// EXERCISE (?P<id>ch\d\.[a-z0-9_]+) \((?P<points>\d+) points?\): (?P<title>.+?)\s*$")
END = re.compile(r"^\s*// END EXERCISE (?P<id>ch\d\.[a-z0-9_]+)\s*$")
INCLUDE = '#include "attn/exercise.hpp"  // added by tools/coursework: the exercise stubs'
QUIET_STUBS = '#pragma GCC diagnostic ignored "-Wunused-parameter"  // a stub leaves its parameters unused'
NOT_IMPLEMENTED = "is not implemented yet"


class KitError(Exception):
    """A problem with the markers, the manifest or the command line: one line, then exit 2."""


@dataclass
class Exercise:
    id: str
    title: str
    points: int
    file: str            # relative to the repository top
    begin: int           # 0-based line index of the EXERCISE line
    end: int             # 0-based line index of the END EXERCISE line
    indent: str
    solution: list = field(default_factory=list)  # the lines between the markers

    @property
    def chapter(self):
        return int(self.id[2])


# ---- reading markers -------------------------------------------------------------------------------

def tracked_files(top):
    """The repository's files: git's list when it is a git checkout, else every file but builds."""
    if (top / ".git").exists():
        out = subprocess.run(["git", "-C", str(top), "ls-files", "-z"], capture_output=True, check=True)
        return sorted(p for p in out.stdout.decode().split("\0") if p and (top / p).is_file())
    skip = {".git", "out"}
    files = []
    for path in top.rglob("*"):
        rel = path.relative_to(top)
        if path.is_file() and rel.parts[0] not in skip and not rel.parts[0].startswith("build"):
            files.append(str(rel))
    return sorted(files)


def exercises_in(text, rel):
    """The marked regions of one file; markers must pair up, in order, with matching ids."""
    found, open_one = [], None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        begin, end = BEGIN.match(line), END.match(line)
        if "// EXERCISE" in line and not begin:
            raise KitError(f"{rel}:{i + 1}: malformed marker (expected '// EXERCISE chN.name (P points): title')")
        if begin:
            if open_one:
                raise KitError(f"{rel}:{i + 1}: exercise {begin['id']} starts inside {open_one.id}")
            open_one = Exercise(begin["id"], begin["title"], int(begin["points"]), rel, i, -1, begin["indent"])
        elif end:
            if not open_one or end["id"] != open_one.id:
                raise KitError(f"{rel}:{i + 1}: END EXERCISE {end['id']} does not close an open exercise")
            open_one.end = i
            open_one.solution = lines[open_one.begin + 1:i]
            found.append(open_one)
            open_one = None
    if open_one:
        raise KitError(f"{rel}:{open_one.begin + 1}: exercise {open_one.id} is never closed")
    return found


def all_exercises(top=ROOT):
    exercises = {}
    for rel in tracked_files(top):
        if Path(rel).suffix not in SOURCE_SUFFIXES or rel.startswith("tools/coursework/"):
            continue
        for ex in exercises_in((top / rel).read_text(encoding="utf-8"), rel):
            if ex.id in exercises:
                raise KitError(f"{rel}:{ex.begin + 1}: exercise id {ex.id} is used twice")
            exercises[ex.id] = ex
    return exercises


def select(exercises, chapters, ids):
    unknown = [i for i in ids if i not in exercises]
    if unknown:
        raise KitError(f"unknown exercise {unknown[0]} (see: attn_course.py list)")
    chosen = [e for e in exercises.values() if (not chapters and not ids) or e.chapter in chapters or e.id in ids]
    if not chosen:
        raise KitError("the selection matches no exercise")
    return sorted(chosen, key=lambda e: e.id)


def stub(ex):
    return [f"{ex.indent}// TODO: your code here (see chapters/*/ASSIGNMENT.md, exercise {ex.id})",
            f'{ex.indent}throw attn::ExerciseNotImplemented("{ex.id}");']


def replace_regions(text, replacements):
    """replacements: {exercise id: new body lines}; markers stay, bodies change. Adds the include."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        begin = BEGIN.match(lines[i])
        if begin and begin["id"] in replacements:
            j = i + 1
            while not END.match(lines[j]):
                j += 1
            out.extend(replacements[begin["id"]])
            i = j
            continue
        i += 1
    if replacements and INCLUDE not in out:
        last_include = max((k for k, line in enumerate(out) if line.startswith("#include")), default=-1)
        out[last_include + 1:last_include + 1] = [INCLUDE, QUIET_STUBS]
    return "\n".join(out)


def copy_tree(top, destination, files):
    for rel in files:
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(top / rel, target)


# ---- student trees ---------------------------------------------------------------------------------

def make_student_tree(out, chosen, tarball=False):
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise KitError(f"{out}: exists and is not empty (choose a new folder)")
    files = tracked_files(ROOT)
    copy_tree(ROOT, out, files)
    by_file = {}
    for ex in chosen:
        by_file.setdefault(ex.file, {})[ex.id] = stub(ex)
    for rel, replacements in by_file.items():
        path = out / rel
        path.write_text(replace_regions(path.read_text(encoding="utf-8"), replacements), encoding="utf-8")
    leaked = solution_leaks(out, chosen)
    if leaked:
        raise KitError(f"solution text of {leaked[0][0]} survives in {leaked[0][1]}: '{leaked[0][2]}'")
    (out / "EXERCISES.md").write_text(exercise_sheet(chosen), encoding="utf-8")
    print(f"wrote {out}: {len(chosen)} exercises, {sum(e.points for e in chosen)} points, no solution text left")
    if tarball:
        archive = out.with_name(out.name + ".tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(out, arcname=out.name)
        print(f"wrote {archive}")


def distinctive_lines(ex, reference_files):
    """The solution's lines that appear nowhere else in the reference tree (so finding one in a
    student copy means the solution leaked, not that a common line like 'return y;' is there)."""
    candidates = {line.strip() for line in ex.solution if len(line.strip()) >= 12}
    for rel, text in reference_files.items():
        lines = text.split("\n")
        if rel == ex.file:
            lines = lines[:ex.begin] + lines[ex.end + 1:]
        candidates -= {line.strip() for line in lines}
    return candidates


def solution_leaks(tree, chosen):
    reference = {rel: (ROOT / rel).read_text(encoding="utf-8", errors="replace") for rel in tracked_files(ROOT)}
    student = {rel: {line.strip() for line in (tree / rel).read_text(encoding="utf-8", errors="replace").split("\n")}
               for rel in tracked_files(tree)}
    leaks = []
    for ex in chosen:
        for line in sorted(distinctive_lines(ex, reference)):
            for rel, lines in student.items():
                if line in lines:
                    leaks.append((ex.id, rel, line))
    return leaks


def exercise_sheet(chosen):
    order = assignment_order(all_exercises())
    chosen = sorted(chosen, key=lambda e: order.index(e.id))  # the order the ASSIGNMENT.md tables give
    rows = "\n".join(f"| `{e.id}` | {e.points} | {e.title} | `{e.file}` |" for e in chosen)
    shared = sorted({e.file for e in chosen if not e.file.startswith("chapters/")})
    note = ""
    if shared:
        files = ", ".join(f"`{f}`" for f in shared)
        note = ("\n**Shared code.** Some of these exercises are in the library (" + files + "), which other "
                "chapters use too. Until they are done, every executable and test that reaches them — in other "
                "chapters as well — stops with \"exercise ... is not implemented yet\". Do them first, in the "
                "order the chapter's ASSIGNMENT.md lists them: each exercise's checks pass with the exercises "
                "after it still unfinished (`tools/coursework/attn_course.py order` verifies this).\n")
    return ("# Exercises in this copy\n\nEach is marked in the code with `// EXERCISE <id>`; replace the "
            "`throw attn::ExerciseNotImplemented` line with your code, between the markers, and leave the "
            "markers in place: only the code between them is graded. Each chapter's ASSIGNMENT.md says "
            "what to do and how to check it, in the order of its table.\n\n| exercise | points | task | file |\n|---|---|---|---|\n"
            f"{rows}\n{note}")


# ---- the manifest: exercise -> tests -> points ---------------------------------------------------------

def load_manifest(path, chosen, hidden=None, hidden_path=None):
    """{id: [test, ...]}, test = {name, executable, cases, points}. The manifest's tests of an
    exercise must be worth the points in its marker; hidden tests add points of their own."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise KitError(f"{path}: {error}")
    every = all_exercises()
    tests = {}
    for source, where in [(data, path)] + ([(hidden, hidden_path)] if hidden is not None else []):
        if not isinstance(source, dict) or not isinstance(source.get("exercises"), dict):
            raise KitError(f"{where}: expected an object {{\"exercises\": {{id: [test, ...]}}}}")
        for ex_id, entries in source["exercises"].items():
            if ex_id not in every:
                raise KitError(f"{where}: exercise {ex_id} is not marked in the code")
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise KitError(f"{where}: the tests of {ex_id} must be a list of objects")
            for entry in entries:
                missing = {"name", "executable", "cases", "points"} - set(entry)
                if missing:
                    raise KitError(f"{where}: a test of {ex_id} lacks '{sorted(missing)[0]}'")
                wrong = [k for k in ("name", "executable", "cases") if not isinstance(entry[k], str)]
                if wrong or not isinstance(entry["points"], int) or isinstance(entry["points"], bool) or entry["points"] < 0:
                    raise KitError(f"{where}: a test of {ex_id}: '{wrong[0] if wrong else 'points'}' must be "
                                   f"{'text' if wrong else 'a whole number >= 0'}")
                executable = Path(str(entry["executable"]))
                if executable.is_absolute() or ".." in executable.parts or not executable.parts:
                    raise KitError(f"{where}: the executable '{entry['executable']}' of {ex_id} is not a path inside the "
                                   "graded build's tests/ folder")
                if "," in entry["cases"]:
                    raise KitError(f"{where}: '{entry['cases']}': one pattern per test, without commas (doctest splits on them)")
                entry = dict(entry, hidden=source is hidden)
                if ex_id in chosen:
                    tests.setdefault(ex_id, []).append(entry)
    for ex_id, ex in chosen.items():
        total = sum(t["points"] for t in tests.get(ex_id, []) if not t["hidden"])
        if total != ex.points:
            raise KitError(f"{path}: the tests of {ex_id} are worth {total} points, its marker says {ex.points}")
    return tests


# ---- grading ---------------------------------------------------------------------------------------------

@dataclass
class TestResult:
    exercise: str
    name: str
    max_score: float
    score: float
    status: str   # passed, failed, not implemented, crashed, timed out, left processes running, compile error, missing
    output: str


def submission_regions(submission, chosen):
    """The submission's code for each exercise: {id: lines}, or a reason why there is none."""
    code, problems = {}, {}
    for ex in chosen:
        path = Path(submission) / ex.file
        if not path.is_file():
            problems[ex.id] = f"{ex.file} is missing from the submission"
            continue
        try:
            regions = {e.id: e for e in exercises_in(path.read_text(encoding="utf-8", errors="replace"), ex.file)}
        except KitError as error:
            problems[ex.id] = str(error)
            continue
        if ex.id not in regions:
            problems[ex.id] = f"the markers of {ex.id} are missing from {ex.file}"
        else:
            code[ex.id] = regions[ex.id].solution
    return code, problems


def dispatch(ex, student_lines):
    """Both versions side by side: the submission's runs only while its own tests run."""
    inner = ex.indent + "    "
    indented = lambda lines: [inner + l[len(ex.indent):] if l.startswith(ex.indent) else inner + l.lstrip() for l in lines]
    return ([f'{ex.indent}if (attn::exercise_under_test("{ex.id}")) {{'] + indented(student_lines) +
            [f"{ex.indent}}} else {{"] + indented(ex.solution) + [f"{ex.indent}}}"])


def write_graded_tree(tree, chosen, code, hidden):
    """Writes the graded tree, or rewrites it keeping tree/build: a file is written only when its
    content changes, so a rebuild after a compile error recompiles only what changed."""
    by_file = {}
    for ex in chosen:
        by_file.setdefault(ex.file, {})[ex.id] = dispatch(ex, code.get(ex.id) or stub(ex))
    for rel in tracked_files(ROOT):
        target = tree / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in by_file:
            content = replace_regions((ROOT / rel).read_text(encoding="utf-8"), by_file[rel])
            if not target.exists() or target.read_text(encoding="utf-8") != content:
                target.write_text(content, encoding="utf-8")
        elif not target.exists():
            shutil.copy2(ROOT / rel, target)
    if hidden:
        shutil.copytree(hidden, tree / "tests" / "hidden", dirs_exist_ok=True)


def student_line_ranges(tree, chosen):
    """{(file, 1-based line): exercise id} for every line of submitted code in the graded tree."""
    owner = {}
    for ex in chosen:
        lines = (tree / ex.file).read_text(encoding="utf-8").split("\n")
        start = next(i for i, l in enumerate(lines) if f'attn::exercise_under_test("{ex.id}")' in l)
        stop = next(i for i in range(start, len(lines)) if lines[i] == f"{ex.indent}}} else {{")
        for i in range(start + 1, stop):
            owner[(ex.file, i + 1)] = ex.id
    return owner


FIRST_ERROR = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?:fatal )?error: (?P<message>.*)$", re.M)
LOCATION = re.compile(r"^(?:In file included from |\s+from )?(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)?[:,]", re.M)


def culprit_of(text, tree, chosen):
    """The exercise whose submitted code the compiler complains about: the first location in its
    messages (errors, notes, 'required from here') that lies in submitted code."""
    owner = student_line_ranges(tree, chosen)
    for match in LOCATION.finditer(text):
        rel = os.path.relpath(os.path.normpath(tree / "build" / match["file"]), tree)
        if (rel, int(match["line"])) in owner:
            return owner[(rel, int(match["line"]))]
    return None


def build(tree, targets, log):
    build_dir = tree / "build"
    if not (build_dir / "build.ninja").exists():
        setup = subprocess.run(["meson", "setup", "-Db_colorout=never", str(build_dir), str(tree)], capture_output=True, text=True)
        log.write(setup.stdout + setup.stderr)
        if setup.returncode != 0:
            return False, (setup.stdout + setup.stderr).strip().split("\n")[-1]
    result = subprocess.run(["ninja", "-C", str(build_dir)] + targets, capture_output=True, text=True)
    log.write(result.stdout + result.stderr)
    return result.returncode == 0, result.stdout + result.stderr


OUTPUT_LIMIT = 1 << 20  # bytes of a test's output kept (its end): a test that floods cannot exhaust memory


def become_subreaper():
    """Makes this process the reaper of every orphaned descendant (Linux prctl PR_SET_CHILD_SUBREAPER),
    so a test's leftovers — even one that left its session with setsid — stay findable as our
    descendants, to be killed. Returns False where that is not available."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # 36 = PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def descendants():
    """Process ids of every living descendant of this process (from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue  # it ended meanwhile
        fields = stat[stat.rfind(")") + 2:].split()  # after "pid (name) ": state, ppid, ...
        if fields and fields[0] not in ("Z", "X"):
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier and pid not in found}
        found |= frontier
    return found


def kill_tree(process):
    """Kills the test's process group and every other descendant it left (a daemon, a process in
    a session of its own), and reaps them. Returns how many were still running besides the test."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    left = descendants()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for _ in range(100):  # reap the ones reparented to us; others are reaped by their own parents
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if not descendants():
                break
            time.sleep(0.01)
    return len(left)


def run_test(tree, test, exercise, timeout):
    """Runs one test process with a time limit. Its output goes to a file, not a pipe, so nothing it
    leaves behind can keep the grader waiting for the pipe to close; at the end (or the time limit)
    its whole process tree is killed, and leftovers are reported against the exercise."""
    exe = tree / "build" / "tests" / test["executable"]
    env = dict(os.environ, ATTN_EXERCISE_UNDER_TEST=exercise, OPENBLAS_NUM_THREADS="1")
    command = [str(exe), f"--test-case={test['cases']}", "--no-colors=true", "--no-version=true"]
    start = time.monotonic()
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       env=env, cwd=tree, start_new_session=True)
        except OSError as error:
            return "failed", f"cannot run {test['executable']}: {error.strerror}"
        try:
            process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        returncode = process.returncode
        left = kill_tree(process)
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - OUTPUT_LIMIT))
        output = log.read().decode("utf-8", "replace")
    seconds = time.monotonic() - start
    if timed_out:
        return "timed out", f"timed out after {timeout:g} s (an endless loop?)\n" + tail(output)
    if left:
        return "left processes running", (f"the test ended but left {left} process{'es' if left > 1 else ''} running "
                                           "(killed by the grader)\n" + tail(output))
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return "crashed", f"crashed with {name} after {seconds:.1f} s\n" + tail(output)
    ran = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed", output)
    if ran is None or int(ran.group(1)) == 0:
        return "failed", f"no test case matched '{test['cases']}' in {test['executable']} (a manifest error)\n" + tail(output)
    if returncode == 0:
        return "passed", tail(output)
    implemented = re.search(r"exercise (\S+) " + NOT_IMPLEMENTED, output)
    if implemented:
        return "not implemented", f"exercise {implemented.group(1)} {NOT_IMPLEMENTED}"
    return "failed", tail(output)


def tail(text, lines=40):
    kept = text.strip().split("\n")
    return "\n".join(kept[-lines:])


def grade(submission, out, chosen, tests, hidden, timeout, keep):
    submission = Path(submission).resolve()
    if not submission.is_dir():
        raise KitError(f"{submission}: not a folder (unpack the submission first)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="attn_grade_"))
    tree = work / "tree"
    results = []
    try:
        code, problems = submission_regions(submission, chosen)
        compile_errors = {}
        targets = sorted({f"tests/{t['executable']}" for ex in chosen for t in tests.get(ex.id, [])})
        with open(out / "build.log", "w", encoding="utf-8") as log:
            for attempt in range(len(chosen) + 1):
                write_graded_tree(tree, chosen, code, hidden)
                ok, text = build(tree, targets, log)
                if ok:
                    break
                first = FIRST_ERROR.search(text)
                culprit = culprit_of(text, tree, chosen)
                if first is None or culprit is None or culprit not in code:
                    message = first.group(0) if first else tail(text, 5)
                    raise KitError(f"the graded tree does not build, and not because of an exercise: {message}")
                compile_errors[culprit] = f"does not compile: {ex_path(first)}: {first['message']}"
                del code[culprit]  # graded as a stub from now on; rebuild the rest
            else:
                raise KitError("the graded tree still does not build")
        for ex in chosen:
            for test in tests.get(ex.id, []):
                if ex.id in compile_errors:
                    status, output = "compile error", compile_errors[ex.id]
                elif ex.id in problems:
                    status, output = "missing", problems[ex.id]
                else:
                    status, output = run_test(tree, test, ex.id, timeout)
                score = test["points"] if status == "passed" else 0
                results.append(TestResult(ex.id, test["name"], test["points"], score, status, output))
    finally:
        if keep:
            print(f"graded tree kept in {tree}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    write_reports(out, chosen, results)
    return results


def ex_path(first):
    return f"{Path(first['file']).name}:{first['line']}"


def write_reports(out, chosen, results):
    total = sum(r.score for r in results)
    maximum = sum(r.max_score for r in results)
    gradescope = {
        "score": total,
        "max_score": maximum,
        "output": f"attn autograder: {total:g} / {maximum:g} points",
        "tests": [{"name": f"{r.exercise}: {r.name}", "score": r.score, "max_score": r.max_score,
                   "status": "passed" if r.status == "passed" else "failed",
                   "output": f"[{r.status}] {r.output}".strip()} for r in results],
    }
    write_atomically(out / "results.json", json.dumps(gradescope, indent=2) + "\n")

    suites = ET.Element("testsuites", tests=str(len(results)), failures=str(sum(r.status != "passed" for r in results)))
    for ex in chosen:
        mine = [r for r in results if r.exercise == ex.id]
        suite = ET.SubElement(suites, "testsuite", name=ex.id, tests=str(len(mine)),
                              failures=str(sum(r.status != "passed" for r in mine)))
        for r in mine:
            case = ET.SubElement(suite, "testcase", classname=ex.id, name=r.name)
            if r.status != "passed":
                failure = ET.SubElement(case, "failure", message=r.status, type=r.status.replace(" ", "_"))
                failure.text = r.output
    write_atomically(out / "junit.xml", ET.tostring(suites, encoding="unicode") + "\n")

    print(f"{'exercise':32} {'score':>9}  result")
    for ex in chosen:
        mine = [r for r in results if r.exercise == ex.id]
        statuses = sorted({r.status for r in mine})
        detail = ", ".join(statuses)
        first_problem = next((r.output.split("\n")[0] for r in mine if r.status != "passed"), "")
        if first_problem and "not implemented" not in statuses:
            detail += f": {first_problem[:100]}"
        print(f"{ex.id:32} {sum(r.score for r in mine):>4g} / {sum(r.max_score for r in mine):<3g} {detail}")
    print(f"{'total':32} {total:>4g} / {maximum:<3g}")
    print(f"wrote {out / 'results.json'} and {out / 'junit.xml'}")


def write_atomically(path, text):
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


# ---- consistency ----------------------------------------------------------------------------------------

def check_kit(exercises, build_dir=None):
    """Every chapter has at least three exercises, each named in its chapter's ASSIGNMENT.md, and
    the manifest's tests of each add up to its points and name executables that exist; with a
    build folder, each test's pattern must select at least one test case."""
    tests = load_manifest(MANIFEST, exercises)
    known = {p.stem for p in (ROOT / "tests").glob("test_*.cpp")}
    for chapter in sorted(int(f.name[:2]) for f in (ROOT / "chapters").glob("[0-9][0-9]_*")):
        mine = [e for e in exercises.values() if e.chapter == chapter]
        if len(mine) < 3:
            raise KitError(f"chapter {chapter} has {len(mine)} exercises; the course needs at least 3")
        folder = next((ROOT / "chapters").glob(f"{chapter:02d}_*"))
        assignment = folder / "ASSIGNMENT.md"
        if not assignment.is_file():
            raise KitError(f"{assignment.relative_to(ROOT)}: missing")
        text = assignment.read_text(encoding="utf-8")
        for ex in mine:
            if f"`{ex.id}`" not in text:
                raise KitError(f"{assignment.relative_to(ROOT)}: exercise {ex.id} is not described")
            for test in tests[ex.id]:
                if test["executable"] not in known:
                    raise KitError(f"{MANIFEST.relative_to(ROOT)}: {ex.id} names {test['executable']}, which does not exist")
                if build_dir:
                    listed = subprocess.run([str(Path(build_dir) / "tests" / test["executable"]), "--list-test-cases",
                                             f"--test-case={test['cases']}", "--no-colors=true"], capture_output=True, text=True)
                    count = re.search(r"(\d+) test cases? selected", listed.stdout) or re.search(r"\[doctest\] unskipped test cases passing the current filters: (\d+)", listed.stdout)
                    if listed.returncode != 0 or count is None or int(count.group(1)) == 0:
                        raise KitError(f"{MANIFEST.relative_to(ROOT)}: {ex.id}: '{test['cases']}' selects no test case of {test['executable']}")
    print(f"{len(exercises)} exercises in 6 chapters, {sum(e.points for e in exercises.values())} points: "
          "markers, manifest and ASSIGNMENT.md files agree")


# ---- command line ------------------------------------------------------------------------------------

def assignment_order(exercises):
    """Exercise ids in the order the chapters' ASSIGNMENT.md tables list them, chapter by chapter."""
    order = []
    for folder in sorted((ROOT / "chapters").glob("[0-9][0-9]_*")):
        assignment = folder / "ASSIGNMENT.md"
        if not assignment.is_file():
            continue
        for line in assignment.read_text(encoding="utf-8").split("\n"):
            found = re.match(r"\|\s*`(ch\d\.[a-z0-9_]+)`\s*\|", line)
            if found and found[1] in exercises and found[1] not in order:
                order.append(found[1])
    missing = [i for i in exercises if i not in order]
    if missing:
        raise KitError(f"exercise {missing[0]} is in no ASSIGNMENT.md table")
    return order


def check_order(exercises, timeout):
    """A student works through the exercises in the tables' order and checks each one as it is
    done: so each exercise's tests must pass while every exercise after it is still a stub. Builds
    one graded tree whose every submission is the stub; exercise X's tests run with the exercises
    after X taking that stub (ATTN_EXERCISE_UNDER_TEST lists them), X and those before it their
    reference solutions."""
    order = assignment_order(exercises)
    tests = load_manifest(MANIFEST, exercises)
    chosen = [exercises[i] for i in order]
    work = Path(tempfile.mkdtemp(prefix="attn_order_"))
    tree = work / "tree"
    failures = 0
    try:
        write_graded_tree(tree, chosen, {}, None)
        with open(work / "build.log", "w", encoding="utf-8") as log:
            ok, text = build(tree, sorted({f"tests/{t['executable']}" for ts in tests.values() for t in ts}), log)
        if not ok:
            raise KitError(f"the graded tree does not build: {tail(text, 3)}")
        for k, ex_id in enumerate(order):
            later = order[k + 1:]
            statuses = [run_test(tree, test, ",".join(later), timeout) for test in tests.get(ex_id, [])]
            bad = [(test["name"], status, output) for test, (status, output) in zip(tests.get(ex_id, []), statuses) if status != "passed"]
            failures += bool(bad)
            if bad:
                name, status, output = bad[0]
                print(f"{ex_id:32} FAILS with the {len(later)} later exercises unfinished: {name}: {status}: {output.split(chr(10))[0]}")
            else:
                print(f"{ex_id:32} passes with the {len(later)} later exercises unfinished")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        raise KitError(f"{failures} exercises need a later one: reorder ASSIGNMENT.md's table or the tests in the manifest")
    print(f"all {len(order)} exercises pass their tests in the order ASSIGNMENT.md lists them")


class OneLineParser(argparse.ArgumentParser):
    """A bad command line is one line on stderr, like every other refusal of the kit."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def main(argv=None):
    parser = OneLineParser(prog="attn_course.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    about = {
        "list": "the exercises: id, points, file and line, task",
        "check": "markers, manifest and ASSIGNMENT.md files agree (and, with --build, every test pattern selects a test)",
        "student": "write a student copy with the selected exercises replaced by stubs",
        "grade": "build a submission and run each exercise's tests: results.json (Gradescope), junit.xml, build.log",
        "order": "each exercise's tests pass while every later exercise (ASSIGNMENT.md order) is unfinished (builds a tree)",
    }
    for name in ("list", "check", "student", "grade", "order"):
        sub = commands.add_parser(name, help=about[name], description=about[name])
        sub.add_argument("--chapter", type=int, action="append", default=[], help="select a chapter's exercises (0-7)")
        sub.add_argument("--exercise", action="append", default=[], help="select one exercise by id")
        if name == "check":
            sub.add_argument("--build", help="a build folder: also check that every test pattern selects a test case")
        if name == "student":
            sub.add_argument("out", help="the folder to write the student copy to (new or empty)")
            sub.add_argument("--tarball", action="store_true", help="also write OUT.tar.gz")
        if name == "grade":
            sub.add_argument("submission", help="the student's tree (a folder)")
            sub.add_argument("--out", required=True, help="where to write results.json, junit.xml, build.log")
            sub.add_argument("--hidden", help="a folder of extra tests kept from students (README, 'Hidden tests')")
            sub.add_argument("--timeout", type=float, default=120, help="seconds per test process (default 120)")
            sub.add_argument("--keep", action="store_true", help="keep the graded tree for inspection")
    args = parser.parse_args(argv)
    if getattr(args, "timeout", 1) <= 0:
        parser.error(f"--timeout must be above 0 seconds, got {args.timeout:g}")
    try:
        exercises = all_exercises()
        chosen = select(exercises, set(args.chapter), args.exercise)
        if args.command == "list":
            for ex in chosen:
                print(f"{ex.id:32} {ex.points:>3} points  {ex.file}:{ex.begin + 1}  {ex.title}")
            print(f"{len(chosen)} exercises, {sum(e.points for e in chosen)} points")
        elif args.command == "check":
            check_kit(exercises, args.build)
        elif args.command == "order":
            become_subreaper()
            check_order(exercises, 120)
        elif args.command == "student":
            make_student_tree(args.out, chosen, args.tarball)
        else:
            hidden_manifest = None
            if args.hidden:
                hidden_path = Path(args.hidden) / "manifest.json"
                if not hidden_path.is_file():
                    raise KitError(f"{hidden_path}: no such file (a hidden test folder needs its manifest.json)")
                try:
                    hidden_manifest = json.loads(hidden_path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as error:
                    raise KitError(f"{hidden_path}: not a JSON manifest ({error})")
            tests = load_manifest(MANIFEST, {e.id: e for e in chosen}, hidden_manifest, args.hidden)
            become_subreaper()
            grade(args.submission, args.out, chosen, tests, args.hidden, args.timeout, args.keep)
    except KitError as error:
        print(f"attn_course.py: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # an --out that is a file, a folder without permission, a full disk: one line
        where = f"{error.filename}: " if error.filename else ""
        print(f"attn_course.py: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("attn_course.py: stopped (Ctrl-C)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
