#!/usr/bin/env python3
"""Writes the browser start-up trace of docs/studies/browser-startup-phone.md (mtesim text trace).

    browser-startup-trace.py OUT [--seed S]

A cold start of a Chromium-based browser on an Android phone, described by what the browser
does, not by any figure it should produce. Every number below is fixed here, before any run,
and is not adjusted to results (docs/studies/browser-startup-phone.md, "Workload").

Processes and threads follow Chromium's multi-process architecture (design document
"Multi-process Architecture"; docs/threading_and_tasks.md "Threads": every process has a main
thread and an IO thread, plus a pool of worker threads; the renderer adds a compositor thread
and raster workers): the browser process, the GPU process, the network service (a utility
process) and one renderer for the restored tab.

What each thread does:
- maps the browser's native library (one file, shared by every process through the page
  cache: read faults of file-backed, not PROT_MTE, pages) and touches the part it runs;
- runs its share of start-up work as heap operations on the MTE-tagged heap (the heap model:
  Scudo-like, as Android's allocator; size classes and op mix as the `browser` profile of
  src/trace/profile_workload.cpp), with compute between accesses;
- the browser main thread reads its resource pack and profile databases through read(2);
- the renderer main thread grows the JavaScript heap (anonymous memory, not tagged: V8 manages
  its own heap) page by page; the GPU process maps and fills buffers (anonymous, untagged).
"""
import random
import sys

KIB, MIB = 1 << 10, 1 << 20
PAGE = 4 * KIB

LIB_FILE, PAK_FILE, PROFILE_FILE = 10, 11, 12
LIB_BYTES = 64 * MIB            # the native library, mapped by every thread's process
LIB_BASE = 0x7000000000
HEAP_OPS_SCALE = 0.5            # keeps one run under a minute of host time (the .md's run time)

# (pid, name, [(thread name, heap ops, share of the library it touches)])
PROCESSES = [
    (1, "browser", [("CrBrowserMain", 12000, 0.40), ("Chrome_IOThread", 4000, 0.05),
                    ("ThreadPoolForeground", 6000, 0.05), ("ThreadPoolBackground", 4000, 0.05)]),
    (2, "gpu", [("CrGpuMain", 6000, 0.15), ("VizCompositorThread", 4000, 0.05)]),
    (3, "network", [("CrUtilityMain", 4000, 0.10), ("Chrome_ChildIOThread", 3000, 0.02)]),
    (4, "renderer", [("CrRendererMain", 16000, 0.40), ("Compositor", 5000, 0.05),
                     ("CompositorTileWorker1", 5000, 0.02), ("CompositorTileWorker2", 5000, 0.02),
                     ("Chrome_ChildIOThread", 2000, 0.02)]),
]
PAK_BYTES, PROFILE_BYTES = 8 * MIB, 4 * MIB     # read by the browser main thread
V8_BYTES, V8_BASE = 32 * MIB, 0x6000000000      # renderer main thread's JavaScript heap
GPU_BYTES, GPU_BASE = 16 * MIB, 0x6800000000    # GPU process buffers
MAX_LIVE = 1024


def chunk_size(r):
    """Sizes of a browser heap (the `browser` profile): mostly small objects, some buffers."""
    x = r.randrange(100)
    if x < 60:
        return 16 + r.randrange(113)
    if x < 85:
        return 129 + r.randrange(896)
    if x < 97:
        return 1025 + r.randrange(15360)
    return 16385 + r.randrange(245760)


class Thread:
    def __init__(self, tid, pid, name, ops, lib_share, seed):
        self.tid, self.pid, self.name, self.ops, self.lib_share = tid, pid, name, ops, lib_share
        self.r = random.Random(seed * 1000003 + tid)
        self.live, self.sizes, self.names = [], [], 0
        self.lines = []

    def emit(self, s):
        self.lines.append(f"{self.tid} {s}")

    def heap_op(self):
        r = self.r
        x = r.randrange(100)
        if (x < 35 and len(self.live) < MAX_LIVE) or not self.live:
            name = f"t{self.tid}h{self.names}"
            self.names += 1
            size = chunk_size(r)
            self.emit(f"malloc {name} {size}")
            self.live.append(name)
            self.sizes.append(size)
            return
        i = r.randrange(len(self.live))
        if x < 65:
            self.emit(f"free {self.live[i]}")
            self.live[i], self.sizes[i] = self.live[-1], self.sizes[-1]
            self.live.pop()
            self.sizes.pop()
            return
        for _ in range(1 + r.randrange(4)):
            size = self.sizes[i]
            ln = min(8, size)
            off = r.randrange(size - ln + 1) & ~7
            op = "ld" if r.randrange(3) else "st"
            self.emit(f"{op} {self.live[i]}+{off} {ln} gap={5 + r.randrange(40)}")


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit("usage: browser-startup-trace.py OUT [--seed S]")
    out, seed = args[0], 1
    if len(args) == 3 and args[1] == "--seed":
        seed = int(args[2])
    threads = []
    tid = 1
    for pid, _, ts in PROCESSES:
        for name, ops, share in ts:
            threads.append(Thread(tid, pid, name, int(ops * HEAP_OPS_SCALE), share, seed))
            tid += 1
    for t in threads:
        # Every thread maps the library at an address of its own (a trace has no way to order
        # one thread's mmap before another's first access) and touches its share of it: the
        # pages are the same page-cache pages in every process.
        base = LIB_BASE + (t.tid - 1) * 2 * LIB_BYTES
        t.emit(f"mmap {base:#x} {LIB_BYTES} file={LIB_FILE}")
        lib_pages = LIB_BYTES // PAGE
        n = int(lib_pages * t.lib_share)
        start = t.r.randrange(lib_pages - n + 1)
        for p in range(start, start + n):
            t.emit(f"ld {base + p * PAGE:#x} 8 gap=200")
        if t.name == "CrBrowserMain":
            for f, size in ((PAK_FILE, PAK_BYTES), (PROFILE_FILE, PROFILE_BYTES)):
                for off in range(0, size, 128 * KIB):
                    t.emit(f"read {f} {off} {128 * KIB}")
        if t.pid == 4 and t.name == "CrRendererMain":
            t.emit(f"mmap {V8_BASE:#x} {V8_BYTES}")
        if t.name == "CrGpuMain":
            t.emit(f"mmap {GPU_BASE:#x} {GPU_BYTES}")
        # Start-up work: heap operations; the JavaScript heap and GPU buffers grow alongside.
        v8_pages, gpu_pages = V8_BYTES // PAGE, GPU_BYTES // PAGE
        for k in range(t.ops):
            t.heap_op()
            if t.name == "CrRendererMain" and k % max(1, t.ops // v8_pages) == 0 and k // max(1, t.ops // v8_pages) < v8_pages:
                t.emit(f"st {V8_BASE + (k // max(1, t.ops // v8_pages)) * PAGE:#x} 8")
            if t.name == "CrGpuMain" and k % max(1, t.ops // gpu_pages) == 0 and k // max(1, t.ops // gpu_pages) < gpu_pages:
                t.emit(f"st {GPU_BASE + (k // max(1, t.ops // gpu_pages)) * PAGE:#x} 8")
            if t.r.randrange(200) == 0:
                t.emit("yield")
        t.emit("exit")
    with open(out, "w") as f:
        f.write("mtesim-trace 1\n")
        f.write(f"# browser start-up, seed {seed}: {len(PROCESSES)} processes, {len(threads)} threads\n")
        for t in threads:
            f.write(f"thread {t.tid} process={t.pid} tcf=async exclude=0x1  # {PROCESSES[t.pid - 1][1]}: {t.name}\n")
        # Threads interleaved in bursts of 32 events, as the generated profiles are.
        cur = [0] * len(threads)
        while any(cur[i] < len(t.lines) for i, t in enumerate(threads)):
            for i, t in enumerate(threads):
                if cur[i] < len(t.lines):
                    f.write("\n".join(t.lines[cur[i]:cur[i] + 32]) + "\n")
                    cur[i] += 32


if __name__ == "__main__":
    main()
