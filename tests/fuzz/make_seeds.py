#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py: (re)writes the seed corpora of tests/fuzz/corpus
from the shipped scenarios, the test data, docs/examples and
tests/fuzz/data/base.db (a 5 ms quickstart trace, 512-byte pages:
cossim run quickstart --until 5ms, then PRAGMA journal_mode=DELETE;
PRAGMA page_size=512; VACUUM).  Deterministic: the kernel tapes come from a
seeded generator.  Run from the source root.  The files named by a SHA-1
(40 hex digits) are not written here: they are what the campaigns of
docs/testing.md found, minimized with libFuzzer's -merge=1 and added
beside the seeds."""
import os
import random
import sys

root = os.getcwd()
out = os.path.join(root, "tests", "fuzz", "corpus")


def put(harness, name, data):
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(*p):
    with open(os.path.join(root, *p), "rb") as f:
        return f.read()


# (a) scenarios: every shipped one, the test scripts, the bounds example
for sub in ["scenarios", "scenarios/labs"]:
    for n in sorted(os.listdir(os.path.join(root, sub))):
        if n.endswith(".lua"):
            put("scenario", sub.replace("/", "-") + "-" + n, read(sub, n))
for n in ["evict_pair.lua", "random_events.lua", "runtime_error.lua", "syntax_error.lua", "long_run.lua"]:
    put("scenario", "tests-" + n, read("tests", "data", n))

# ... and every Lua example of the docs (docs/*.md, docs/*/*.md)
import glob
import re
for f in sorted(glob.glob(os.path.join(root, "docs", "*.md")) + glob.glob(os.path.join(root, "docs", "*", "*.md"))):
    rel = os.path.relpath(f, root)
    for i, m in enumerate(re.finditer(r"```lua\n(.*?)```", read(rel).decode(), re.S)):
        put("scenario", "docs-%s-%d.lua" % (os.path.basename(f)[:-3], i), m.group(1).encode())

# (b) kernel: byte 0 = preset (bits 0-1) and deep (bit 2); then the tape
rng = random.Random(19)
for mode in range(8):
    for size in (256, 2048):
        put("kernel", "tape-%d-%d" % (mode, size), bytes([mode]) + bytes(rng.randrange(256) for _ in range(size)))

# (c) traces: byte 0 even = the file, odd = SQL on data/base.db
base = read("tests", "fuzz", "data", "base.db")
put("trace", "base", b"\x00" + base)
put("trace", "base-mean", b"\x02" + base)
put("trace", "truncated-4k", b"\x00" + base[:4096])
put("trace", "truncated-header", b"\x00" + base[:100])
put("trace", "flipped", b"\x00" + base[:3000] + bytes([base[3000] ^ 0xff]) + base[3001:])
sql = [
    "",
    "UPDATE jobs SET finish_ps = 0",
    "UPDATE counters SET core = -1",
    "UPDATE jobs SET core = 5000",
    "UPDATE kernel_paths SET first_core = -7",
    "UPDATE jobs SET task = 1099511627776",
    "UPDATE jobs SET start_ps = release_ps - 1 WHERE id = 2",
    "UPDATE events SET time_ps = 9223372036854775807 WHERE id % 7 = 0",
    "UPDATE run SET end_ps = -1",
    "UPDATE tasks SET name = 'x`rm -rf /`\"@M;' || char(10) || 'EOD'",
    "UPDATE tasks SET period_ps = 1, deadline_ps = 1",
    "DELETE FROM event_kinds",
    "DROP TABLE jobs",
    "ALTER TABLE jobs DROP COLUMN response_ps",
    "UPDATE events SET a0 = 'text', a1 = x'00ff'",
    "INSERT INTO jobs SELECT * FROM jobs",
    "UPDATE trace_level SET level = 'kernel'",
    "DELETE FROM events WHERE id % 2 = 0",
    "CREATE INDEX e ON events(time_ps)",
]
for i, s in enumerate(sql):
    put("trace", "sql-%02d" % i, b"\x01" + s.encode())

# (d) files: byte 0 = kind | how << 2 | cores << 4 | partition << 6
three = read("tests", "data", "tasksets", "three.csv")
full = read("tests", "data", "tasksets", "full.lua")
for how in range(4):
    put("files", "csv-%d" % how, bytes([0 | how << 2]) + three)
    put("files", "lua-%d" % how, bytes([1 | how << 2]) + full)
put("files", "csv-cores", bytes([0 | 1 << 2 | 2 << 4 | 1 << 6]) + three)
put("files", "csv-jitter", b"\x00name,period,wcet,deadline,priority,core,jitter,blocking\n"
    b"a,1ms,100us,,0,0,10us,5us\nb,5ms,1ms,4ms,1,0,,\n")
put("files", "lua-overheads", b"\x01return { tasks = { { name = 'a', period = '1ms', wcet = '100us' } },\n"
    b"  overheads = { ctx_switch = '1us', sched = 200, irq = '2us', invocation = 0 } }\n")
put("files", "bounds-example", b"\x02" + read("docs", "examples", "quickstart-bounds.lua"))
put("files", "bounds-all", b"\x02return { misses = 0, invocation = '25us', kernel_paths = { sinv = 1000 },\n"
    b"  tasks = { control = { response = '200us', misses = 0, within_bound = true } } }\n")
put("files", "sched-csv", b"\x03" + read("tests", "fuzz", "data", "sweep.csv"))
