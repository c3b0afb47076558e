#!/usr/bin/python3
"""Count the instructions of the kernel's fast paths, per ISA.

kernel/fast/fast.c holds a freestanding twin of each step of kernel/path.c
(docs/calibration.md, "Instruction counts").  This script compiles it with
clang for each target ISA (-O2, freestanding, no libc), links it with
ld.lld at a fixed address, loads it into the Unicorn emulator
(Debian's python3-unicorn; scripts/deps.sh cossim_install_calib), lays out
kernel objects in the simulated kernel's layout (kernel/layout.h: the
offsets are read from the compiled target itself), calls each step's twin
on a stated input and counts the instructions it executes, from its first
instruction to its return, both included.

Usage:
  scripts/path-counts.py            print the table
  scripts/path-counts.py --write    write kernel/path_counts.h
  scripts/path-counts.py --check    regenerate and compare with
                                    kernel/path_counts.h (exit 1 on drift,
                                    77 -- a skip for meson -- when clang,
                                    ld.lld or unicorn is missing)

Run from anywhere: paths are relative to the repository (this file's
parent's parent).  Uses /usr/bin/python3 (Debian's unicorn module).
"""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "kernel", "path_counts.h")
SOURCES = ["kernel/fast/fast.c", "kernel/fast/fast.h", "kernel/layout.h", "kernel/abi.h"]
SKIP = 77

# The steps, in kernel/internal.h's K_P_* order (path.c's table), and the
# user-level dispatch (kernel/thd.c).
STEPS = ["entry", "exit", "cap", "inv", "ret", "switch", "send", "recv", "event", "tcap", "tcap-entry",
         "acct", "dispatch", "irq", "ipi", "mgmt", "fault", "repair"]
ENUM = {s: "K_P_" + s.upper().replace("-", "_") for s in STEPS}

COMMON = ["-O2", "-ffreestanding", "-fno-builtin", "-nostdlib", "-fno-stack-protector", "-fno-pic",
          "-fomit-frame-pointer", "-fno-exceptions", "-fno-unwind-tables", "-fno-asynchronous-unwind-tables",
          "-std=gnu11"]
# name: (clang target, flags, word bytes, register-file words the switch copies)
ISAS = {
    "x86_64": ("x86_64-unknown-none-elf", ["-mno-sse", "-mno-mmx", "-mno-red-zone"], 8, 18),
    "i386": ("i386-unknown-none-elf", ["-march=i686", "-malign-double", "-mno-sse", "-mno-mmx"], 4, 10),
    "armv7a": ("armv7a-none-eabi", ["-marm", "-mcpu=cortex-a9", "-mfloat-abi=soft"], 4, 17),
    "thumbv7m": ("thumbv7m-none-eabi", ["-mthumb", "-mcpu=cortex-m3", "-mfloat-abi=soft"], 4, 17),
    "aarch64": ("aarch64-unknown-none-elf", ["-mcpu=cortex-a53", "-mgeneral-regs-only"], 8, 17),
}
# Why these register-file sizes: the simulated kernel's hw_context_words
# (x86-64 18; every ARM preset 17, the Cortex-A53's included, which the
# model treats as 32-bit); i386 8 general registers, EIP and EFLAGS.

CODE, DATA, STACK, MMIO, STOP = 0x10000, 0x100000, 0x80000, 0x90000, 0x8f000
DATA_SIZE, STACK_SIZE = 0x40000, 0x8000

LINK = """
SECTIONS {
  . = 0x10000;
  .text : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  .data : { *(.data .data.*) }
  .bss : { *(.bss .bss.*) *(COMMON) }
  /DISCARD/ : { *(.ARM.exidx*) *(.ARM.attributes) *(.comment) *(.note*) }
}
"""

# Offsets and sizes, read back from the compiled target (kf_probe).
PROBE_FIELDS = [
    ("k_comp_o", "captbl"), ("k_comp_o", "pgtbl"), ("k_comp_o", "active"), ("k_comp_o", "kept"),
    ("k_comp_o", "image"), ("k_comp_o", "id"),
    ("k_thd_o", "h.core"), ("k_thd_o", "id"), ("k_thd_o", "state"), ("k_thd_o", "depth"), ("k_thd_o", "comp"),
    ("k_thd_o", "home"), ("k_thd_o", "rcv"), ("k_thd_o", "sched"), ("k_thd_o", "tcap"),
    ("k_thd_o", "blocked_on"), ("k_thd_o", "ev_next"), ("k_thd_o", "ev_flags"), ("k_thd_o", "ev_queued"),
    ("k_thd_o", "ev_cycles"), ("k_thd_o", "inv"), ("k_thd_o", "regs"),
    ("k_sinv_o", "entry"), ("k_sinv_o", "comp"),
    ("k_rcv_o", "thd"), ("k_rcv_o", "tcap"), ("k_rcv_o", "pending"), ("k_rcv_o", "token"),
    ("k_rcv_o", "ev_head"), ("k_rcv_o", "ev_tail"),
    ("k_tcap_o", "ndelegs"), ("k_tcap_o", "budget"), ("k_tcap_o", "owner"), ("k_tcap_o", "deleg"),
    ("k_deleg", "sched"), ("k_deleg", "prio"),
    ("k_pgtbl_head", "asid"), ("k_pgtbl_head", "root"),
    ("k_core_o", "cur_thd"), ("k_core_o", "cur_tcap"),
    ("k_ring", "head"), ("k_ring", "tail"), ("k_ring", "rcv"),
    ("k_slot", "type"), ("k_slot", "flags"), ("k_slot", "epoch"), ("k_slot", "obj"),
    ("kf_frame", "op"), ("kf_frame", "cap"), ("kf_frame", "a"), ("kf_frame", "ret"),
    ("kf_call", "op"), ("kf_call", "a"), ("kf_call", "thd"), ("kf_call", "comp"), ("kf_call", "core"),
    ("kf_cpu", "pd"), ("kf_cpu", "pd_root"), ("kf_cpu", "pd_asid"), ("kf_cpu", "pd_keep"),
    ("kf_cpu", "asid_owner"), ("kf_cpu", "tcap_since"), ("kf_cpu", "frame"),
    ("kf_cpu", "id"), ("kf_cpu", "cur_seen"), ("kf_cpu", "hwtbl"), ("kf_cpu", "nlines"), ("kf_cpu", "ipi_line"),
    ("kf_cpu", "irq_ack"), ("kf_cpu", "irq_eoi"), ("kf_cpu", "ipi_send"),
    ("cos_ret", "err"), ("cos_ret", "r"),
]
PROBE_SIZES = ["k_thd_o", "k_deleg", "kf_cpu", "kf_frame", "kf_call", "k_slot", "cos_ret"]


def probe_source():
    lines = ['#include "kernel/fast/fast.h"', "const uint32_t kf_probe[] = {"]
    for t, f in PROBE_FIELDS:
        lines.append(f"    offsetof({t}, {f}),")
    for t in PROBE_SIZES:
        lines.append(f"    sizeof({t}),")
    lines.append("};")
    return "\n".join(lines) + "\n"


def tool(name):
    for n in (name, name + "-14"):
        p = shutil.which(n)
        if p:
            return p
    return None


def clang_version(clang):
    out = subprocess.run([clang, "--version"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].strip()


def link(lld, workdir, name, entry, objs):
    """Link objs at CODE (LINK's script) with `entry` first; the flat code,
    the symbols' addresses and sizes (llvm-nm).  Also used by the
    comparison systems' count scripts."""
    ld = os.path.join(workdir, name + ".ld")
    with open(ld, "w") as f:
        f.write(LINK)
    elf = os.path.join(workdir, f"{name}.elf")
    subprocess.run([lld, "-T", ld, "-e", entry, "-static", "-o", elf] + objs, check=True)
    flat = os.path.join(workdir, f"{name}.bin")
    subprocess.run([tool("llvm-objcopy"), "-O", "binary", elf, flat], check=True)
    with open(flat, "rb") as f:
        code = f.read()
    nm = subprocess.run([tool("llvm-nm"), "-S", "--defined-only", elf], capture_output=True, text=True,
                        check=True).stdout
    sym, size = {}, {}
    for line in nm.splitlines():
        p = line.split()
        if len(p) == 4:
            sym[p[3]] = int(p[0], 16)
            size[p[3]] = int(p[1], 16)
        elif len(p) == 3:
            sym[p[2]] = int(p[0], 16)
    return code, sym, size


class Image:
    """One ISA's linked twins: the flat code, the symbols, the layout."""

    def __init__(self, isa, workdir, clang, lld):
        triple, flags, self.word, self.regs_words = ISAS[isa]
        self.isa = isa
        objs = []
        probe = os.path.join(workdir, "probe.c")
        with open(probe, "w") as f:
            f.write(probe_source())
        for src in (os.path.join(ROOT, "kernel/fast/fast.c"), probe):
            obj = os.path.join(workdir, f"{isa}-{os.path.basename(src)}.o")
            subprocess.run([clang, "-target", triple] + COMMON + flags
                           + [f"-DKF_REGS_WORDS={self.regs_words}", "-I", ROOT, "-c", src, "-o", obj],
                           check=True)
            objs.append(obj)
        self.code, self.sym, self.size = link(lld, workdir, isa, "kf_entry", objs)
        base = self.sym["kf_probe"] - CODE
        n = len(PROBE_FIELDS) + len(PROBE_SIZES)
        vals = struct.unpack_from("<%dI" % n, self.code, base)
        self.off = {f"{t}.{f}": v for (t, f), v in zip(PROBE_FIELDS, vals)}
        self.sizeof = dict(zip(PROBE_SIZES, vals[len(PROBE_FIELDS):]))

    def fn(self, name):
        return self.sym[name] & ~1, self.size[name]


class Machine:
    """The emulator with the image loaded: memory, calls, counts."""

    def __init__(self, img):
        import unicorn as U
        from unicorn import arm_const as A, arm64_const as A64, x86_const as X
        self.U, self.img, self.isa = U, img, img.isa
        if img.isa == "x86_64":
            self.uc = U.Uc(U.UC_ARCH_X86, U.UC_MODE_64)
        elif img.isa == "i386":
            self.uc = U.Uc(U.UC_ARCH_X86, U.UC_MODE_32)
        elif img.isa == "armv7a":
            self.uc = U.Uc(U.UC_ARCH_ARM, U.UC_MODE_ARM)
        elif img.isa == "thumbv7m":
            self.uc = U.Uc(U.UC_ARCH_ARM, U.UC_MODE_THUMB | U.UC_MODE_MCLASS)
        else:
            self.uc = U.Uc(U.UC_ARCH_ARM64, U.UC_MODE_ARM)
        self.A, self.A64, self.X = A, A64, X
        uc = self.uc
        uc.mem_map(CODE, 0x10000)
        uc.mem_write(CODE, img.code)
        uc.mem_map(STACK, 0x11000)     # the stack, the stop page (0x8f000) and the MMIO page (0x90000)
        uc.mem_map(DATA, DATA_SIZE)
        self.count = 0

        def hook(uc_, addr, size, user):
            self.count += 1
        uc.hook_add(U.UC_HOOK_CODE, hook)

    # -- memory ------------------------------------------------------------------------
    def w(self, addr, fmt, *v):
        self.uc.mem_write(addr, struct.pack("<" + fmt, *v))

    def r(self, addr, fmt):
        return struct.unpack("<" + fmt, self.uc.mem_read(addr, struct.calcsize("<" + fmt)))

    def w32(self, addr, v):
        self.w(addr, "I", v & 0xffffffff)

    def w64(self, addr, v):
        self.w(addr, "Q", v & 0xffffffffffffffff)

    def wptr(self, addr, v):
        self.w(addr, "Q" if self.img.word == 8 else "I", v)

    def field(self, obj, name):
        return obj + self.img.off[name]

    def clear(self):
        self.uc.mem_write(DATA, b"\0" * DATA_SIZE)
        self.uc.mem_write(MMIO, b"\0" * 0x1000)

    # -- a call ----------------------------------------------------------------------------
    def call(self, name, *args):
        """Run twin `name` with word arguments; (instructions, return value)."""
        uc = self.uc
        start, _ = self.img.fn(name)
        sp = STACK + STACK_SIZE - 0x100
        if self.isa == "x86_64":
            X = self.X
            for reg, a in zip([X.UC_X86_REG_RDI, X.UC_X86_REG_RSI, X.UC_X86_REG_RDX, X.UC_X86_REG_RCX], args):
                uc.reg_write(reg, a)
            sp -= 8
            self.w64(sp, STOP)
            uc.reg_write(X.UC_X86_REG_RSP, sp)
        elif self.isa == "i386":
            X = self.X
            sp -= 4 * (len(args) + 1)
            self.w(sp, "%dI" % (len(args) + 1), STOP, *args)
            uc.reg_write(X.UC_X86_REG_ESP, sp)
        elif self.isa in ("armv7a", "thumbv7m"):
            A = self.A
            for i, a in enumerate(args):
                uc.reg_write(A.UC_ARM_REG_R0 + i, a)
            uc.reg_write(A.UC_ARM_REG_SP, sp)
            uc.reg_write(A.UC_ARM_REG_LR, STOP | (1 if self.isa == "thumbv7m" else 0))
        else:
            A = self.A64
            for i, a in enumerate(args):
                uc.reg_write(A.UC_ARM64_REG_X0 + i, a)
            uc.reg_write(A.UC_ARM64_REG_SP, sp)
            uc.reg_write(A.UC_ARM64_REG_LR, STOP)
        self.count = 0
        begin = start | (1 if self.isa == "thumbv7m" else 0)
        uc.emu_start(begin, STOP, count=100000)
        if self.isa == "x86_64":
            ret = uc.reg_read(self.X.UC_X86_REG_RAX)
        elif self.isa == "i386":
            ret = uc.reg_read(self.X.UC_X86_REG_EAX)
        elif self.isa in ("armv7a", "thumbv7m"):
            ret = uc.reg_read(self.A.UC_ARM_REG_R0)
        else:
            ret = uc.reg_read(self.A64.UC_ARM64_REG_X0)
        pc = self.pc()
        if pc != STOP:
            raise RuntimeError(f"{self.isa} {name}: stopped at {pc:#x}, not at the return")
        return self.count, ret

    def pc(self):
        if self.isa == "x86_64":
            return self.uc.reg_read(self.X.UC_X86_REG_RIP)
        if self.isa == "i386":
            return self.uc.reg_read(self.X.UC_X86_REG_EIP)
        if self.isa in ("armv7a", "thumbv7m"):
            return self.uc.reg_read(self.A.UC_ARM_REG_PC) & ~1
        return self.uc.reg_read(self.A64.UC_ARM64_REG_PC)


def page(n):
    """Kernel page n of the data region, and its object's coloured address
    (kernel/layout.h k_obj_addr: page number mod 48 lines into the page)."""
    p = DATA + n * 0x1000
    return p + ((p // 0x1000) % 48) * 64


def objects(m):
    """The system the twins run on: a client component A and a server B
    in two domains, threads T1 (running, in A) and T2 (in A, blocked on its
    rcv R), a sinv S to B, two tcaps delegated by one scheduler, the core's
    per-core block, a ring, the interrupt table.  Addresses by name."""
    img = m.img
    o = {"A": page(1), "B": page(2), "CT": DATA + 3 * 0x1000, "L2": DATA + 4 * 0x1000, "PTA": page(5),
         "PTB": page(6), "T1": page(7), "T2": page(8), "S": page(9), "R": page(10), "TC1": page(11),
         "TC2": page(12), "CO": page(13), "RING": page(14), "HWTBL": page(15), "ASID": page(16),
         "CPU": page(17), "FRAME": page(18), "CALL": page(19), "OUT": page(20), "ARG": page(21),
         "SCHED": page(22)}
    m.clear()
    f = m.field
    for c, pt in (("A", "PTA"), ("B", "PTB")):
        m.w64(f(o[c], "k_comp_o.captbl"), o["CT"])
        m.w64(f(o[c], "k_comp_o.pgtbl"), o[pt])
    m.w32(f(o["A"], "k_comp_o.active"), 0)
    m.w64(o["CT"] + 8 * 1, o["L2"])                     # level-1 entry 1
    slot = o["L2"] + 0x23 * 16                           # capability 0x123: the sinv
    m.w(slot, "HHIQ", 5, 0, 1, o["S"])                   # COS_CAP_SINV, flags, epoch, object
    for pt, asid in (("PTA", 1), ("PTB", 2)):
        m.w32(f(o[pt], "k_pgtbl_head.asid"), asid)
        m.w64(f(o[pt], "k_pgtbl_head.root"), DATA + 0x30000 + asid * 0x1000)
        m.w64(o["ASID"] + 8 * asid, o[pt])               # each ASID still its own domain's
    m.w32(f(o["S"], "k_sinv_o.entry"), 2)
    m.w64(f(o["S"], "k_sinv_o.comp"), o["B"])
    for t, tid in (("T1", 1), ("T2", 2)):
        m.w32(f(o[t], "k_thd_o.id"), tid)
        m.w64(f(o[t], "k_thd_o.comp"), o["A"])
        m.w64(f(o[t], "k_thd_o.home"), o["A"])
        m.w64(f(o[t], "k_thd_o.sched"), o["SCHED"])
        for i in range(img.regs_words):
            m.wptr(f(o[t], "k_thd_o.regs") + i * img.word, 0x1000 * tid + i)
    m.w64(f(o["T2"], "k_thd_o.tcap"), o["TC2"])
    m.w64(f(o["T2"], "k_thd_o.rcv"), o["R"])
    m.w32(f(o["T2"], "k_thd_o.state"), 1)                # K_THD_BLOCKED_RCV
    m.w64(f(o["T2"], "k_thd_o.blocked_on"), o["R"])
    m.w64(f(o["R"], "k_rcv_o.thd"), o["T2"])
    m.w64(f(o["R"], "k_rcv_o.token"), 7)
    for tc, prio in (("TC1", 5), ("TC2", 10)):
        m.w64(f(o[tc], "k_tcap_o.budget"), 1000000)
        m.w64(f(o[tc], "k_tcap_o.owner"), o["SCHED"])
    m.w64(f(o["CO"], "k_core_o.cur_thd"), o["T1"])
    m.w64(f(o["CO"], "k_core_o.cur_tcap"), o["TC1"])
    m.w64(o["HWTBL"] + 8 * 3, o["R"])
    cpu = o["CPU"]
    m.w64(f(cpu, "kf_cpu.pd"), o["PTA"])
    m.wptr(f(cpu, "kf_cpu.asid_owner"), o["ASID"])
    m.w64(f(cpu, "kf_cpu.tcap_since"), 5000)
    m.wptr(f(cpu, "kf_cpu.frame"), o["FRAME"])
    m.w32(f(cpu, "kf_cpu.id"), 0)
    m.w64(f(cpu, "kf_cpu.cur_seen"), o["T1"])
    m.w64(f(cpu, "kf_cpu.hwtbl"), o["HWTBL"])
    m.w32(f(cpu, "kf_cpu.nlines"), 32)
    m.w32(f(cpu, "kf_cpu.ipi_line"), 1)
    m.wptr(f(cpu, "kf_cpu.irq_ack"), MMIO)
    m.wptr(f(cpu, "kf_cpu.irq_eoi"), MMIO + 4)
    m.wptr(f(cpu, "kf_cpu.ipi_send"), MMIO + 8)
    m.w32(MMIO, 3)                                       # the line the controller acknowledges
    return o


def delegs(m, o, tc, pairs):
    f = m.field
    m.w32(f(o[tc], "k_tcap_o.ndelegs"), len(pairs))
    size = m.img.sizeof["k_deleg"]
    for i, (sched, prio) in enumerate(pairs):
        d = f(o[tc], "k_tcap_o.deleg") + i * size
        m.w64(d + m.img.off["k_deleg.sched"], sched)
        m.w32(d + m.img.off["k_deleg.prio"], prio)


def expect(isa, step, got, want):
    if got != want:
        raise RuntimeError(f"{isa} {step}: returned {got:#x}, expected {want:#x} (not the path meant)")


def count(img):
    """Each step's instruction count on this ISA: {step: n}, and the
    user-level dispatch's."""
    m = Machine(img)
    f = m.field
    n = {}
    w = img.word
    mask = (1 << (8 * w)) - 1

    # entry: a sinv call (op 1) from T1 in A
    o = objects(m)
    m.wptr(f(o["FRAME"], "kf_frame.op"), 1)
    m.wptr(f(o["FRAME"], "kf_frame.cap"), 0x123)
    n["entry"], r = m.call("kf_entry", o["FRAME"], o["CO"], o["CALL"])
    expect(img.isa, "entry", r & mask, 0)                 # kf_ops is empty: its entry, 0
    # exit: a result with four words
    o = objects(m)
    m.w32(o["ARG"] + img.off["cos_ret.err"], 0)
    n["exit"], _ = m.call("kf_exit", o["FRAME"], o["ARG"])
    # cap: capability 0x123 of A, a sinv
    o = objects(m)
    n["cap"], r = m.call("kf_cap", o["A"], 0x123, 5, o["OUT"])
    expect(img.isa, "cap", r & 0xffffffff, 0)
    # inv: T1 (depth 0, in A) through S into B: a domain switch, B's ASID its own
    o = objects(m)
    n["inv"], r = m.call("kf_inv", o["T1"], o["S"], o["CPU"])
    expect(img.isa, "inv", r & 0xffffffff, 2)
    # ret: T1 back from B to A (B not kept)
    o = objects(m)
    m.w32(f(o["T1"], "k_thd_o.depth"), 1)
    m.w64(f(o["T1"], "k_thd_o.comp"), o["B"])
    m.w64(f(o["T1"], "k_thd_o.inv"), o["A"])
    m.w32(f(o["B"], "k_comp_o.active"), 1)
    m.w64(f(o["CPU"], "kf_cpu.pd"), o["PTB"])
    n["ret"], r = m.call("kf_ret", o["T1"], o["CPU"])
    expect(img.isa, "ret", r & 0xffffffff, 0)
    # switch: T1 -> T2, both register files copied, T2's own tcap
    o = objects(m)
    n["switch"], _ = m.call("kf_switch", o["CO"], o["T1"], o["T2"], o["CPU"])
    # send: to R, whose owner T2 waits on it: woken
    o = objects(m)
    n["send"], r = m.call("kf_send", o["R"])
    expect(img.isa, "send", r & 0xffffffff, 1)
    # recv: T2 on R with nothing pending: it blocks
    o = objects(m)
    m.w32(f(o["T2"], "k_thd_o.state"), 0)
    n["recv"], r = m.call("kf_recv", o["R"], o["T2"], 0, o["OUT"])
    expect(img.isa, "recv", r & 0xffffffff, 0)
    # event: T2 woken, appended to its scheduler's empty list
    o = objects(m)
    n["event"], r = m.call("kf_event", o["R"], o["T2"], 2)
    expect(img.isa, "event", r & 0xffffffff, 1)
    # tcap: TC2 against TC1 sharing k schedulers (k = 1, 2); the step is
    # the comparison with one shared scheduler less the per-entry part
    per = []
    for k in (1, 2):
        o = objects(m)
        delegs(m, o, "TC1", [(o["SCHED"] + 64 * i, 10) for i in range(k)])
        delegs(m, o, "TC2", [(o["SCHED"] + 64 * i, 5) for i in range(k)])
        c, r = m.call("kf_tcap_higher", o["TC2"], o["TC1"])
        expect(img.isa, "tcap", r & 0xffffffff, 1)
        per.append(c)
    n["tcap-entry"] = per[1] - per[0]
    n["tcap"] = per[0] - n["tcap-entry"]
    # acct: 2000 cycles charged to TC1 (finite budget) and T1
    o = objects(m)
    m.w64(o["ARG"], 7000)
    n["acct"], _ = m.call("kf_acct", o["CO"], o["CPU"], o["ARG"])
    expect(img.isa, "acct", m.r(f(o["TC1"], "k_tcap_o.budget"), "Q")[0], 998000)
    # dispatch: T1 switches to T2 (runnable) under TC2 at priority 3 for the
    # scheduler whose rcv R it names with the current token (TC2 has R's entry)
    o = objects(m)
    m.w32(f(o["T2"], "k_thd_o.state"), 0)
    delegs(m, o, "TC2", [(o["R"], 10)])
    m.w64(f(o["CALL"], "kf_call.thd"), o["T1"])
    m.w64(f(o["CALL"], "kf_call.core"), o["CO"])
    m.w64(f(o["CALL"], "kf_call.a") + 8 * 1, 3)
    m.w64(f(o["CALL"], "kf_call.a") + 8 * 4, 7)
    n["dispatch"], r = m.call("kf_dispatch", o["CALL"], o["T2"], o["TC2"], o["R"])
    expect(img.isa, "dispatch", r & 0xffffffff, 0)
    # irq: line 3, bound to R
    o = objects(m)
    n["irq"], r = m.call("kf_irq", o["CPU"])
    got = r if img.word == 8 else r & 0xffffffff
    expect(img.isa, "irq", got, o["R"] & mask)
    # ipi: R's address into an empty ring to core 1
    o = objects(m)
    m.w64(o["ARG"], o["R"])
    n["ipi"], r = m.call("kf_ipi", o["RING"], o["ARG"], o["CPU"], 1)
    expect(img.isa, "ipi", r & 0xffffffff, 1)
    # mgmt: T2 put in A's free slot 0x124
    o = objects(m)
    m.w64(o["ARG"], o["T2"])
    m.w64(o["ARG"] + 8, 10**9)                           # now, ps
    m.w64(o["ARG"] + 16, 10**6)                          # the quiescence period, ps
    m.w64(o["L2"] + 0x24 * 16 + 8, 10**8)                # the slot was freed at 100 us: long enough ago
    n["mgmt"], r = m.call("kf_mgmt", o["A"], 0x124, 4, o["ARG"])
    expect(img.isa, "mgmt", r & 0xffffffff, 0)
    # fault
    o = objects(m)
    n["fault"], _ = m.call("kf_fault", o["FRAME"], o["ARG"])
    # repair: user level made T2 current
    o = objects(m)
    m.w64(f(o["CO"], "k_core_o.cur_thd"), o["T2"])
    n["repair"], r = m.call("kf_repair", o["CO"], o["CPU"])
    expect(img.isa, "repair", r & 0xffffffff, 1)
    # the user-level dispatch: T1 -> T2 (runnable, in A, depth 0, under the running tcap)
    o = objects(m)
    m.w32(f(o["T2"], "k_thd_o.state"), 0)
    m.w64(f(o["T2"], "k_thd_o.tcap"), o["TC1"])
    ul, r = m.call("kf_ul_dispatch", o["CO"], o["T1"], o["T2"], o["CPU"])
    expect(img.isa, "ul-dispatch", r & 0xffffffff, 1)
    return n, ul


FN = {"entry": "kf_entry", "exit": "kf_exit", "cap": "kf_cap", "inv": "kf_inv", "ret": "kf_ret",
      "switch": "kf_switch", "send": "kf_send", "recv": "kf_recv", "event": "kf_event",
      "tcap": "kf_tcap_higher", "tcap-entry": None, "acct": "kf_acct", "dispatch": "kf_dispatch",
      "irq": "kf_irq", "ipi": "kf_ipi", "mgmt": "kf_mgmt", "fault": "kf_fault", "repair": "kf_repair"}


def sources_hash():
    h = hashlib.sha256()
    for s in SOURCES:
        with open(os.path.join(ROOT, s), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def sources_commit():
    try:
        commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--"] + SOURCES,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--"] + SOURCES,
                               capture_output=True, text=True, check=True).stdout.strip()
        if dirty:
            head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                  text=True, check=True).stdout.strip()
            return f"{head} with the working tree's changes to them (committed with this table)"
        return commit
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def generate():
    """{isa: (counts, ul, bytes)} and the clang version."""
    clang, lld = tool("clang"), tool("ld.lld")
    missing = [n for n, p in (("clang", clang), ("ld.lld", lld), ("llvm-objcopy", tool("llvm-objcopy")),
                              ("llvm-nm", tool("llvm-nm"))) if p is None]
    try:
        import unicorn  # noqa: F401
    except ImportError:
        missing.append("python3-unicorn (scripts/deps.sh: cossim_install_calib)")
    if missing:
        print("path-counts: SKIP: missing " + ", ".join(missing), file=sys.stderr)
        sys.exit(SKIP)
    out = {}
    with tempfile.TemporaryDirectory() as wd:
        for isa in ISAS:
            img = Image(isa, wd, clang, lld)
            counts, ul = count(img)
            size = {s: (img.size[FN[s]] if FN[s] else 0) for s in STEPS}
            out[isa] = (counts, ul, size)
    return out, clang_version(clang)


def row(isa, values):
    """One ISA's initialiser, six steps a line."""
    items = [f"[{ENUM[s]}] = {values[s]}," for s in STEPS]
    out = [f"    [K_ISA_{isa.upper()}] = {{"]
    for i in range(0, len(items), 6):
        out.append("        " + " ".join(items[i:i + 6]))
    out.append("    },")
    return out


def render(table, version):
    isas = list(ISAS)
    L = []
    L.append("/* kernel/path_counts.h: GENERATED by scripts/path-counts.py --write; do not edit.")
    L.append(" *")
    L.append(" * Instructions each step of kernel/path.c executes, counted by running its")
    L.append(" * freestanding twin (kernel/fast/fast.c) compiled for each ISA under the Unicorn")
    L.append(" * emulator, from the twin's first instruction to its return (docs/calibration.md,")
    L.append(" * \"Instruction counts\", says on which inputs and what the twins leave out).")
    L.append(f" * Sources: {', '.join(SOURCES)}")
    L.append(f" *   at commit {sources_commit()};")
    L.append(f" *   sha256 of the four, in that order: {sources_hash()}.")
    L.append(f" * Compiler: {version}, flags:")
    L.append(" *   " + " ".join(COMMON[:6]))
    L.append(" *   " + " ".join(COMMON[6:]) + ";")
    for isa in isas:
        triple, flags, word, regs = ISAS[isa]
        L.append(f" *   {isa}: -target {triple} {' '.join(flags)} -DKF_REGS_WORDS={regs}")
    L.append(" * `scripts/path-counts.py --check` (the slow test `path-counts`) regenerates the")
    L.append(" * numbers and fails if they differ from these.")
    L.append(" */")
    L.append("#pragma once")
    L.append("")
    L.append("/* The ISAs counted, in the order of the tables' rows. */")
    L.append("typedef enum { " + ", ".join("K_ISA_" + i.upper() for i in isas) + ", K_ISAS } k_isa;")
    L.append("")
    L.append("/* [isa][step]: instructions (kernel/internal.h's K_P_* steps) */")
    L.append("static const unsigned k_path_counts[K_ISAS][K_P_STEPS] = {")
    for isa in isas:
        L += row(isa, table[isa][0])
    L.append("};")
    L.append("")
    L.append("/* [isa][step]: bytes of the step's compiled code (0: none of its own) */")
    L.append("static const unsigned k_path_bytes[K_ISAS][K_P_STEPS] = {")
    for isa in isas:
        L += row(isa, table[isa][2])
    L.append("};")
    L.append("")
    L.append("/* [isa]: the user-level dispatch (kernel/thd.c), its register copies included */")
    L.append("static const unsigned k_path_ul_dispatch[K_ISAS] = {")
    L.append("    " + ", ".join(f"[K_ISA_{isa.upper()}] = {table[isa][1]}" for isa in isas) + ",")
    L.append("};")
    return "\n".join(L) + "\n"


NUM = re.compile(r"\[(K_ISA_\w+|K_P_\w+)\] = (\d+)")


def numbers(text):
    """The header's numbers, without its comments: what --check compares."""
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith(("/*", "*")))
    return re.findall(r"\{[^{}]*\}|\[K_ISA_\w+\] = \d+", body)


def main(argv):
    mode = argv[1] if len(argv) > 1 else "--print"
    table, version = generate()
    text = render(table, version)
    if mode == "--write":
        with open(HEADER, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(HEADER)}")
    elif mode == "--check":
        with open(HEADER) as f:
            old = f.read()
        if numbers(old) != numbers(text):
            print("path-counts: the counts drifted from kernel/path_counts.h; regenerated:\n" + text)
            print("run scripts/path-counts.py --write and look at the moved figures (docs/calibration.md)")
            return 1
        print("path-counts: kernel/path_counts.h matches the compiled twins")
    else:
        print("%-11s" % "step" + "".join("%10s" % i for i in ISAS))
        for s in STEPS:
            print("%-11s" % s + "".join("%10d" % table[i][0][s] for i in ISAS))
        print("%-11s" % "ul-dispatch" + "".join("%10d" % table[i][1] for i in ISAS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
