#!/usr/bin/python3
"""Count the instructions of the monolithic comparison kernel's steps, per ISA.

compare/monolithic/fast/fast.c holds a freestanding twin of each step of
compare/monolithic/path.c (docs/compare.md).  This script does for them what
scripts/path-counts.py does for cossim's kernel, with that script's
compiler flags, link script and emulator (imported from it): each twin
compiled by clang for each ISA, linked with ld.lld, run under Unicorn on a
stated input laid out in the kernel's object layout (offsets read back from
the compiled target), its executed instructions counted from its first
instruction to its return.

Usage:
  scripts/mono-path-counts.py            print the table
  scripts/mono-path-counts.py --write    write compare/monolithic/path_counts.h
  scripts/mono-path-counts.py --check    regenerate and compare (exit 1 on
                                         drift, 77 when a tool is missing)
"""
import importlib.util
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("path_counts", os.path.join(ROOT, "scripts", "path-counts.py"))
pc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pc)

HEADER = os.path.join(ROOT, "compare", "monolithic", "path_counts.h")
SOURCE = os.path.join(ROOT, "compare", "monolithic", "fast", "fast.c")
# compare/monolithic/internal.h's MS_* order, and each step's twin
STEPS = ["entry", "exit", "irq", "ipi", "irq_hard", "yield", "sched", "switch", "switch_mm", "wake", "lock",
         "unlock", "pipe_write", "pipe_read", "copy_line", "close", "futex_wait", "futex_wake", "futex_walk",
         "irq_wait", "exit_thread"]
ISAS = ["x86_64", "i386", "armv7a", "thumbv7m", "aarch64"]

FIELDS = [("mono_rq_o", "lock"), ("mono_rq_o", "nr"), ("mono_rq_o", "bitmap"), ("mono_rq_o", "curr"),
          ("mono_rq_o", "head"), ("mono_rq_o", "tail"),
          ("mono_task_o", "state"), ("mono_task_o", "prio"), ("mono_task_o", "mm"), ("mono_task_o", "rq_next"),
          ("mono_task_o", "wait_next"), ("mono_task_o", "futex_mm"), ("mono_task_o", "futex_uaddr"),
          ("mono_mm_o", "root"), ("mono_mm_o", "asid"), ("mono_mm_o", "users"),
          ("mono_pipe_o", "head"), ("mono_pipe_o", "tail"), ("mono_pipe_o", "readers"), ("mono_pipe_o", "writers"),
          ("mono_pipe_o", "reader_wait"), ("mono_bucket_o", "head"), ("mono_bucket_o", "n"),
          ("mono_irq_o", "pending"), ("mono_irq_o", "thread"), ("mono_irq_o", "waiting"),
          ("mf_cpu", "need_resched"), ("mf_cpu", "yield"), ("mf_cpu", "asid_owner"),
          ("mf_args", "a0"), ("mf_args", "a1"), ("mf_args", "a2"), ("mf_args", "table"), ("mf_args", "n"),
          ("mf_args", "task"), ("mf_args", "mm")]


class Image:
    def __init__(self, isa, workdir, clang, lld):
        triple, flags, self.word, self.regs_words = pc.ISAS[isa]
        self.isa = isa
        probe = os.path.join(workdir, "mprobe.c")
        with open(probe, "w") as f:
            f.write('#include "compare/monolithic/fast/fast.h"\nconst uint32_t mf_probe[] = {\n')
            for t, fl in FIELDS:
                f.write(f"    offsetof({t}, {fl}),\n")
            f.write("};\n")
        objs = []
        for src in (SOURCE, probe):
            obj = os.path.join(workdir, f"m{isa}-{os.path.basename(src)}.o")
            subprocess.run([clang, "-target", triple] + pc.COMMON + flags
                           + [f"-DMF_REGS_WORDS={self.regs_words}", "-I", ROOT, "-c", src, "-o", obj], check=True)
            objs.append(obj)
        self.code, self.sym, self.size = pc.link(lld, workdir, f"m{isa}", "mf_entry", objs)
        import struct
        vals = struct.unpack_from("<%dI" % len(FIELDS), self.code, self.sym["mf_probe"] - pc.CODE)
        self.off = {f"{t}.{f}": v for (t, f), v in zip(FIELDS, vals)}

    def fn(self, name):
        return self.sym[name] & ~1, self.size[name]


def count(img):
    """Each step's instructions on its stated input: the benchmarks' warm
    paths (a yield's schedule with one other task of the same level, a wake
    on the waker's core with no preemption, an 8-byte pipe write that wakes
    its reader, a read that finds 8 bytes, ...)."""
    m = pc.Machine(img)
    D = pc.DATA
    f = lambda obj, name: obj + img.off[name]
    RQ, T1, T2, MM, PIPE, BK, IRQ, CPU, ARGS, TABLE, OWN, FRAME, USER, KS1, KS2, W = (
        D + 0x0000, D + 0x1000, D + 0x1040, D + 0x1080, D + 0x1100, D + 0x1200, D + 0x1300, D + 0x1400,
        D + 0x1500, D + 0x1600, D + 0x2000, D + 0x3000, D + 0x3200, D + 0x3400, D + 0x3600, D + 0x3800)
    n = {}

    def fresh():
        m.clear()
        m.w64(TABLE, PIPE)
        m.w64(f(ARGS, "mf_args.table"), TABLE)
        m.w32(f(ARGS, "mf_args.n"), 1)
        m.w64(f(ARGS, "mf_args.a0"), 1)
        m.w64(f(ARGS, "mf_args.a1"), 0x600000)
        m.w64(f(ARGS, "mf_args.a2"), 8)
        m.w64(f(ARGS, "mf_args.task"), T1)
        m.w64(f(ARGS, "mf_args.mm"), MM)
        m.w64(f(CPU, "mf_cpu.asid_owner"), OWN)
        for t in (T1, T2):
            m.w32(f(t, "mono_task_o.prio"), 10)

    def run(step, name, *args):
        c, _ = m.call(name, *args)
        n[step] = c

    fresh(); run("entry", "mf_entry", FRAME, USER, 1)
    fresh(); run("exit", "mf_exit", FRAME, USER, 0)
    fresh(); m.w32(W, 0xF0); m.w32(W + 4, 0xEF); run("irq", "mf_irq", FRAME, USER, 0xF0, W)
    fresh(); run("ipi", "mf_ipi", CPU)
    fresh(); m.w64(f(IRQ, "mono_irq_o.waiting"), 1); m.w64(f(IRQ, "mono_irq_o.thread"), T1)
    run("irq_hard", "mf_irq_hard", IRQ)
    fresh(); run("yield", "mf_yield", CPU)
    # schedule after a yield: T1 running, T2 queued alone at level 10
    fresh()
    m.w32(f(T1, "mono_task_o.state"), 2)
    m.w32(f(T2, "mono_task_o.state"), 1)
    m.w64(f(RQ, "mono_rq_o.head") + 8 * 10, T2)
    m.w64(f(RQ, "mono_rq_o.tail") + 8 * 10, T2)
    m.w64(f(RQ, "mono_rq_o.bitmap"), 1 << 10)
    m.w32(f(RQ, "mono_rq_o.nr"), 1)
    m.w64(f(RQ, "mono_rq_o.curr"), T1)
    m.w32(f(CPU, "mf_cpu.yield"), 1)
    run("sched", "mf_sched", RQ, T1, CPU)
    fresh(); run("switch", "mf_switch", KS1, KS2, FRAME)
    fresh(); m.w64(f(MM, "mono_mm_o.root"), 0x20000); m.w32(f(MM, "mono_mm_o.asid"), 2); m.w64(OWN + 16, MM)
    run("switch_mm", "mf_switch_mm", CPU, MM)
    # a wake on the waker's core: T2 sleeping, T1 (same priority) running
    fresh(); m.w32(f(T2, "mono_task_o.state"), 3); m.w64(f(RQ, "mono_rq_o.curr"), T1)
    run("wake", "mf_wake", RQ, T2)
    fresh(); run("lock", "mf_lock", RQ)
    fresh(); m.w32(RQ, 1); run("unlock", "mf_unlock", RQ)
    fresh(); m.w32(f(PIPE, "mono_pipe_o.readers"), 1); m.w32(f(PIPE, "mono_pipe_o.writers"), 1)
    m.w64(f(PIPE, "mono_pipe_o.reader_wait"), T2)
    run("pipe_write", "mf_pipe_write", ARGS, W)
    fresh(); m.w32(f(PIPE, "mono_pipe_o.readers"), 1); m.w32(f(PIPE, "mono_pipe_o.writers"), 1)
    m.w32(f(PIPE, "mono_pipe_o.tail"), 8)
    run("pipe_read", "mf_pipe_read", ARGS)
    fresh(); run("copy_line", "mf_copy_line", KS1, KS2)
    fresh(); m.w32(f(PIPE, "mono_pipe_o.readers"), 1); m.w64(f(ARGS, "mf_args.a1"), 0)
    run("close", "mf_close", ARGS, W)
    # a futex word at the data page's start, 0, waited on for 0
    fresh(); m.w64(f(ARGS, "mf_args.a0"), 0x600000); m.w64(f(ARGS, "mf_args.a1"), 0)
    run("futex_wait", "mf_futex_wait", ARGS, BK, W)
    fresh(); m.w64(f(ARGS, "mf_args.a0"), 0x600000); run("futex_wake", "mf_futex_wake", ARGS, D + 0x10000)
    fresh(); m.w64(f(BK, "mono_bucket_o.head"), T1); m.w32(f(BK, "mono_bucket_o.n"), 1)
    m.w64(f(T1, "mono_task_o.futex_mm"), MM); m.w64(f(T1, "mono_task_o.futex_uaddr"), 0x600000)
    m.w64(f(ARGS, "mf_args.a0"), 0x600000)
    run("futex_walk", "mf_futex_walk", f(BK, "mono_bucket_o.head"), BK, ARGS, W)
    fresh(); m.w64(TABLE, IRQ); m.w64(f(IRQ, "mono_irq_o.thread"), T1); run("irq_wait", "mf_irq_wait", ARGS)
    fresh(); run("exit_thread", "mf_exit_thread", T1, MM)
    size = {s: img.size["mf_" + s] for s in STEPS}
    return n, size


def generate():
    clang, lld = pc.tool("clang"), pc.tool("ld.lld")
    if not clang or not lld or not pc.tool("llvm-objcopy") or not pc.tool("llvm-nm"):
        return None
    try:
        import unicorn  # noqa: F401
    except ImportError:
        return None
    table = {}
    with tempfile.TemporaryDirectory() as d:
        for isa in ISAS:
            table[isa] = count(Image(isa, d, clang, lld))
    return table, pc.clang_version(clang)


def render(table, version):
    L = ["/* compare/monolithic/path_counts.h: GENERATED by scripts/mono-path-counts.py --write; do not edit.",
         " *",
         " * Instructions each step of the monolithic kernel executes (its twin in",
         " * compare/monolithic/fast/fast.c, on the stated input of",
         " * scripts/mono-path-counts.py, counted under Unicorn), and the bytes of its",
         " * compiled code, per ISA.  Compiled by " + version + ".",
         " */",
         "#pragma once",
         "",
         "typedef enum { " + ", ".join("MONO_ISA_" + i.upper() for i in ISAS) + ", MONO_ISAS } mono_isa;",
         "",
         "static const unsigned mono_path_counts[MONO_ISAS][MS_STEPS] = {"]
    for isa in ISAS:
        L.append("    [MONO_ISA_%s] = { %s }," % (isa.upper(), ", ".join(str(table[isa][0][s]) for s in STEPS)))
    L.append("};")
    L.append("static const unsigned mono_path_bytes[MONO_ISAS][MS_STEPS] = {")
    for isa in ISAS:
        L.append("    [MONO_ISA_%s] = { %s }," % (isa.upper(), ", ".join(str(table[isa][1][s]) for s in STEPS)))
    L.append("};")
    L.append("/* steps: " + ", ".join(STEPS) + " */")
    return "\n".join(L) + "\n"


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    g = generate()
    if g is None:
        print("mono-path-counts: clang, ld.lld, llvm-objcopy, llvm-nm or unicorn missing: skipped")
        return pc.SKIP if mode == "--check" else 1
    table, version = g
    text = render(table, version)
    if mode == "--write":
        with open(HEADER, "w") as f:
            f.write(text)
    elif mode == "--check":
        with open(HEADER) as f:
            old = f.read()
        nums = lambda t: [x for x in t.split("\n") if x.startswith("    [")]
        if nums(old) != nums(text):
            print("compare/monolithic/path_counts.h differs from the twins: run scripts/mono-path-counts.py --write")
            return 1
    else:
        print("%-12s" % "step" + "".join("%10s" % i for i in ISAS))
        for s in STEPS:
            print("%-12s" % s + "".join("%10d" % table[i][0][s] for i in ISAS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
