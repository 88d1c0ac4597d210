#!/usr/bin/env python3
"""Writes the seed corpora (fuzz/corpus/<target>/) from the repository's
scripts and tests: shell lines quoted in tests/tests/*.rs, core/src and the
playground's presets (web/src/scenarios.rs), tests/golden/. Scenario JSON
seeds come from running the v1/v2 scripts through the CLI with --save
(MEMCG=path/to/memcg, default target/debug/memcg). Run from the repository
root, then `cargo fuzz cmin` each target (see fuzz/README.md)."""

import base64
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")
MEMCG = os.environ.get("MEMCG", os.path.join(ROOT, "target", "debug", "memcg"))
CMDS = ("mkdir", "rmdir", "echo", "cat", "ls", "tree", "cd", "pwd", "su", "whoami",
        "spawn", "wait", "sleep", "kill", "ps", "true", "false", "help")
V1_WORDS = ("/memory/", "limit_in_bytes", "use_hierarchy", "memsw", "soft_limit",
            "move_charge", "oom_control", "force_empty", "usage_in_bytes", "cgroup.event_control")
V2_WORDS = ("memory.max", "memory.high", "memory.low", "memory.min", "subtree_control",
            "memory.events", "memory.swap", "cgroup.type", "memory.pressure", "memory.oom.group")


def save(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def literals(path):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
        s = m.group(1).replace('\\"', '"').replace("\\\\", "\\")
        if s.split(" ", 1)[0] in CMDS and "{" not in s and "\\" not in s:
            yield s


def version_of(line):
    if any(w in line for w in V1_WORDS):
        return "v1"
    if any(w in line for w in V2_WORDS):
        return "v2"
    return None


def scripts():
    """Per source file, its lines in order, split by version, in chunks."""
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "tests", "*.rs")))
    files += sorted(glob.glob(os.path.join(ROOT, "core", "src", "**", "*.rs"), recursive=True))
    files.append(os.path.join(ROOT, "web", "src", "scenarios.rs"))
    out = {"v1": [], "v2": []}
    for f in files:
        by = {"v1": [], "v2": []}
        last = "v2"
        for line in literals(f):
            v = version_of(line) or last
            last = v
            if line not in by[v]:
                by[v].append(line)
        for v, lines in by.items():
            for i in range(0, len(lines), 10):
                out[v].append(lines[i:i + 10] + ["sleep 200ms"])
    golden = open(os.path.join(ROOT, "tests", "golden", "scenario.sh")).read().splitlines()
    out["v2"].append(golden)
    return out


def write_records(v, lines):
    """`echo VALUE > PATH` lines as cgroupfs_write records on the set-up's tree."""
    recs = []
    for line in lines:
        m = re.match(r"echo (\S+) >>? (\S+)$", line)
        if not m:
            continue
        value, path = m.groups()
        name = path.rsplit("/", 1)[-1]
        for cg in ("a", "a/b", "a/c", ""):
            recs.append(f"{cg + '/' if cg else ''}{name}\t{value}")
    return recs


def lz4_literals(data):
    """An LZ4 block of one literal run, size prepended (what pack makes)."""
    n = len(data)
    out = bytearray(n.to_bytes(4, "little"))
    if n < 15:
        out.append(n << 4)
    else:
        out.append(0xF0)
        r = n - 15
        while r >= 255:
            out.append(255)
            r -= 255
        out.append(r)
    out += data
    return "s=1." + base64.urlsafe_b64encode(bytes(out)).decode().rstrip("=")


def main():
    sc = scripts()
    for v in ("v1", "v2"):
        for s in sc[v]:
            save("shell_" + v, "\n".join(s) + "\n")
        recs = write_records(v, [l for s in sc[v] for l in s])
        head = "v1\n" if v == "v1" else ""
        for i in range(0, len(recs), 12):
            save("cgroupfs_write", head + "\n".join(recs[i:i + 12]) + "\n")
    extra = ["a/cgroup.procs\t1", "a/b/cgroup.procs\t2", "a/memory.max\tmax\\n",
             "memory.pressure\tsome 150000 1000000", "a/b/memory.oom.group\t1",
             "a/memory.force_empty\t0", "a/b/memory.move_charge_at_immigrate\t3",
             "/proc/2/oom_score_adj\t-1000", "a/memory.wmark_ratio\t95\\n",
             "a/memory.high\t1", "a/b/memory.reclaim\t1M"]
    save("cgroupfs_write", "\n".join(extra) + "\n")
    save("cgroupfs_write", "v1\n" + "\n".join(extra).replace("memory.max", "memory.limit_in_bytes") + "\n")

    numbers = set()
    for v in ("v1", "v2"):
        for s in sc[v]:
            for line in s:
                m = re.match(r"echo (\S+) >", line)
                if m:
                    numbers.add(m.group(1))
    numbers |= {"0x10", "0777", "-1", "+5", "18446744073709551615", "18446744073709551616",
                "1E", "16e", "max", " 12k\n", "9223372036854775807", "9223372036854775808",
                "-9223372036854775808", "5s", "250ms", "1h", "2min", "86400s", "0X", "4294967296",
                "-2147483649", "\t\n 7 \n", "1G\n", "07777777777777777777777", "0xffffffffffffffffff"}
    for n in sorted(numbers):
        save("units", n)

    jsons = []
    with tempfile.TemporaryDirectory() as tmp:
        for v in ("v1", "v2"):
            for i, s in enumerate(sc[v]):
                script = os.path.join(tmp, f"{v}-{i}.sh")
                out = os.path.join(tmp, f"{v}-{i}.json")
                open(script, "w").write("\n".join(s) + "\n")
                args = [MEMCG, "sh", "--save", out, script] + (["--v2"] if v == "v2" else [])
                try:
                    subprocess.run(args, capture_output=True, timeout=20)
                except subprocess.TimeoutExpired:
                    continue
                if os.path.exists(out):
                    jsons.append(open(out).read())
    jsons.append(open(os.path.join(ROOT, "tests", "golden", "scenario.json")).read())
    for j in jsons:
        save("scenario_json", j)
        compact = json.dumps(json.loads(j), separators=(",", ":")).encode()
        save("share_link", lz4_literals(compact))
        save("share_link", compact)
    golden_link = open(os.path.join(ROOT, "tests", "golden", "scenario.link")).read()
    save("share_link", golden_link)
    save("scenario_json", golden_link)
    save("scenario_json", "https://example.invalid/#" + lz4_literals(b"{}"))
    print({t: len(os.listdir(os.path.join(OUT, t))) for t in os.listdir(OUT)}, file=sys.stderr)


if __name__ == "__main__":
    main()
