#!/usr/bin/python3
"""Count the instructions of the FreeRTOS-like RTOS's core paths (compare/rtos).

    scripts/rtos-counts.py [--print | --write | --check]

rtcore/core.c, the very code the simulator runs, is compiled
freestanding for Thumb-2 (the M profiles' code; clang, as
scripts/path-counts.py compiles the kernel's twins) together with
compare/rtos/fast/harness.c, which builds each path's state.  Under the
Unicorn emulator (scripts/path-counts.py's Machine), each state is built
(not counted), then the path is called and every instruction it executes
is counted, from its first instruction to its return.  --write puts the
table in rtcore/counts.h, --check (the slow test rtos-counts) fails
when the header and the code have parted.  Needs clang, ld.lld, llvm-objcopy,
llvm-nm and python3-unicorn (scripts/deps.sh: cossim_install_calib); exits
77 (skip) without them.
"""
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "rtcore", "counts.h")
SOURCES = ["rtcore/core.c", "rtcore/core.h", "compare/rtos/fast/harness.c"]

_spec = importlib.util.spec_from_file_location("path_counts", os.path.join(ROOT, "scripts", "path-counts.py"))
pc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pc)

ISA = "thumbv7m"
# step: (the state's builder in harness.c, the path, what it is)
STEPS = [
    ("switch", "rth_pair", "rtc_switch_context", "select the next task: two ready at the top priority"),
    ("yield", "rth_pair", "rtc_yield", "taskYIELD's question: is another task of this priority ready"),
    ("tick", "rth_tick", "rtc_tick", "the tick handler's core, nothing due"),
    ("tick_wake", "rth_tick_wake", "rtc_tick", "the tick waking a delayed task that outranks the current"),
    ("send", "rth_send", "rtc_queue_send", "send a 4-byte item, room, no receiver waiting"),
    ("send_wake", "rth_send_wake", "rtc_queue_send", "send a 4-byte item waking a higher-priority receiver"),
    ("send_block", "rth_send_block", "rtc_queue_send", "send to a full queue: the sender blocks"),
    ("recv", "rth_recv", "rtc_queue_recv", "receive a 4-byte item, no sender waiting"),
    ("recv_wake", "rth_recv_wake", "rtc_queue_recv", "receive from a full queue waking a waiting sender"),
    ("recv_block", "rth_recv_block", "rtc_queue_recv", "receive from an empty queue: the receiver blocks"),
    ("recv_empty", "rth_recv_empty", "rtc_queue_recv", "receive from an empty queue, no wait: fails at once"),
    ("give_isr", "rth_give_isr", "rtc_queue_send_isr", "give a binary semaphore from an ISR waking its taker"),
    ("give", "rth_give", "rtc_queue_send", "a task gives a binary semaphore nobody waits on"),
    ("give_wake", "rth_give_wake", "rtc_queue_send", "a task gives a binary semaphore waking a higher-priority taker"),
    ("take", "rth_take", "rtc_queue_recv", "take a given binary semaphore"),
    ("take_block", "rth_take_block", "rtc_queue_recv", "take an empty binary semaphore: the taker blocks"),
    ("delay", "rth_delay", "rtc_delay", "vTaskDelay(5)"),
    ("suspend", "rth_suspend", "rtc_suspend", "suspend the running task"),
]
# per extra 4-byte word of an item: (8-byte state) - (4-byte state)
SLOPES = [("send_word", "rth_send8", "rtc_queue_send", "send"),
          ("recv_word", "rth_recv8", "rtc_queue_recv", "recv")]


class Image:
    """core.c and harness.c linked for Thumb-2: what pc.Machine needs."""

    def __init__(self, wd, clang, lld):
        triple, flags, self.word, _ = pc.ISAS[ISA]
        self.isa = ISA
        objs = []
        for src in ("rtcore/core.c", "compare/rtos/fast/harness.c"):
            obj = os.path.join(wd, os.path.basename(src) + ".o")
            subprocess.run([clang, "-target", triple] + pc.COMMON + flags + ["-DRTC_FREESTANDING", "-I", ROOT, "-c",
                            os.path.join(ROOT, src), "-o", obj], check=True)
            objs.append(obj)
        self.code, self.sym, self.size = pc.link(lld, wd, "rtos", "rtc_init", objs)
        if any(s in self.sym for s in ("memcpy", "memset")):
            raise RuntimeError("rtos-counts: the core calls a library function")

    def fn(self, name):
        return self.sym[name] & ~1, self.size[name]


def run(m, img, builder, path):
    m.clear()
    m.call(builder)
    args = m.r(img.sym["rth_arg"], "4I")
    n, _ = m.call(path, *args)
    return n


def generate():
    clang, lld = pc.tool("clang"), pc.tool("ld.lld")
    missing = [n for n, p in (("clang", clang), ("ld.lld", lld), ("llvm-objcopy", pc.tool("llvm-objcopy")),
                              ("llvm-nm", pc.tool("llvm-nm"))) if p is None]
    try:
        import unicorn  # noqa: F401
    except ImportError:
        missing.append("python3-unicorn (scripts/deps.sh: cossim_install_calib)")
    if missing:
        print("rtos-counts: SKIP: missing " + ", ".join(missing), file=sys.stderr)
        sys.exit(pc.SKIP)
    with tempfile.TemporaryDirectory() as wd:
        img = Image(wd, clang, lld)
        m = pc.Machine(img)
        counts, size = {}, {}
        for name, builder, path, _ in STEPS:
            counts[name] = run(m, img, builder, path)
            size[name] = img.size[path]
        for name, builder, path, base in SLOPES:
            counts[name] = run(m, img, builder, path) - counts[base]
            size[name] = 0
    return counts, size, pc.clang_version(clang)


def sources_hash():
    h = hashlib.sha256()
    for s in SOURCES:
        with open(os.path.join(ROOT, s), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def render(counts, size, version):
    triple, flags, _, _ = pc.ISAS[ISA]
    names = [s[0] for s in STEPS] + [s[0] for s in SLOPES]
    what = {s[0]: s[3] for s in STEPS}
    what.update({s[0]: f"per 4-byte word of an item beyond the first ({s[3]})" for s in SLOPES})
    L = ["/* rtcore/counts.h: GENERATED by scripts/rtos-counts.py --write; do not edit.",
         " *",
         " * Instructions each core path of rtcore/core.c executes, counted by running",
         " * the code itself, compiled for Thumb-2, under the Unicorn emulator, from the path's",
         " * first instruction to its return, in the state compare/rtos/fast/harness.c builds",
         " * (docs/compare.md says what each state is).  Bytes: the path's compiled function.",
         f" * Sources: {', '.join(SOURCES)}; sha256 of the three: {sources_hash()}.",
         f" * Compiler: {version}, -target {triple} {' '.join(pc.COMMON)} {' '.join(flags)}",
         " *   -DRTC_FREESTANDING.",
         " * `scripts/rtos-counts.py --check` (the slow test rtos-counts) regenerates them",
         " * and fails if they differ.",
         " */",
         "#pragma once",
         "",
         "#include \"rtcore/core.h\"",
         "",
         "/* [step]: instructions (rtcore/core.h's RT_C_* steps) */",
         "static const unsigned rt_core_counts[RT_C_STEPS] = {"]
    for n in names:
        L.append(f"    [RT_C_{n.upper()}] = {counts[n]},  /* {what[n]} */")
    L += ["};", "", "/* [step]: bytes of the path's compiled function (0: a slope) */",
          "static const unsigned rt_core_bytes[RT_C_STEPS] = {"]
    for n in names:
        L.append(f"    [RT_C_{n.upper()}] = {size[n]},")
    L.append("};")
    return "\n".join(L) + "\n"


def numbers(text):
    return re.findall(r"\[RT_C_\w+\] = \d+", text)


def main(argv):
    mode = argv[1] if len(argv) > 1 else "--print"
    counts, size, version = generate()
    text = render(counts, size, version)
    if mode == "--write":
        with open(HEADER, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(HEADER)}")
    elif mode == "--check":
        with open(HEADER) as f:
            old = f.read()
        if numbers(old) != numbers(text):
            print("rtos-counts: rtcore/counts.h is stale; regenerated:\n" + text)
            return 1
        print("rtos-counts: rtcore/counts.h matches the compiled core")
    else:
        for n in counts:
            print("%-12s %5d %5d" % (n, counts[n], size[n]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
