/* mtegrind: a Valgrind tool that records a real x86-64 Linux program as an mtesim binary trace
 * (docs/trace-format.md, "Binary workload traces"; mg_trace_ops.h), for `mtesim trace capture`
 * / scripts/capture-trace, which reads it back, checks it and writes the format asked for.
 *
 * What it records, per thread and in execution order:
 *   - every heap call (malloc, calloc, realloc, free, new/delete, memalign), through Valgrind's
 *     malloc replacement, as malloc/calloc/realloc/free events on named handles (h1, h2...);
 *   - loads and stores: an access that falls in a chunk is written against its handle
 *     (ld h17+24 8); with --accesses=all, other accesses are written raw, and each 2 MiB region
 *     they touch is mmap'ed first; the instructions executed since the previous access of the
 *     same superblock are carried as gap=N.
 *
 * The allocator is a memory-safety allocator's, so that a bug of the program reaches mtesim's
 * heap as the same bug (docs/trace-format.md, "Quarantine and redzones"):
 *   - a freed chunk is not given back to Valgrind's arena at once but held in a FIFO
 *     quarantine of --quarantine-mb MiB (ASan's quarantine_size_mb); while it is there, its
 *     addresses stay the freed handle's, so an access into it is written as an access through
 *     the freed handle at its offset: a use after free, which mtesim's heap (retag on free)
 *     catches;
 *   - every chunk has redzones (Valgrind's arena puts --redzone-size bytes, 16 by default, on
 *     each side of a block); a store or a scalar load into a redzone is written as an
 *     out-of-bounds offset of the nearest chunk (h3+48, h3-16), which mtesim's heap catches as
 *     an access to a neighbour's granule or to the chunk header;
 *   - a free of a chunk in quarantine (a double free) or of an address that is no chunk start
 *     (an invalid free) is written as the free of a copy of the pointer (addg d1 h3 0 0; free d1
 *     or free d1+8), or, for an address in no chunk, of a pointer irg makes from it: mtesim's
 *     heap reports HEAP_DOUBLE_FREE / HEAP_INVALID_FREE. The program's own call does nothing
 *     and the program goes on, as under Memcheck.
 *
 * Dependences (dep=K, docs/trace-format.md "Accesses"): which recorded load a value comes from
 * is shadowed through the program's data flow, as Memcheck shadows definedness and its origin
 * tracking shadows origins: every IR temporary and every 8-byte word of guest state (a register
 * and its parts: rax, eax, al, ah) has a shadow
 * holding the sequence number (per thread, from 1) of the recorded load its value derives from,
 * the most recent one when several do (a max over the operands, for every operation: a
 * pointer plus an offset, an index scaled and added to a base). A recorded load's value comes
 * from that load; a load that is not recorded (the stack, globals, a read ahead) passes on the
 * shadow of the 8-byte word it reads, kept when it was stored (a direct-mapped table, by
 * thread): so a pointer spilled to the stack and reloaded, as code built with -O0 does with
 * every variable, still derives from the heap load that produced it. An access whose address
 * derives from load number S of its thread, when the thread has recorded L loads so far and
 * L - S < 64, is written with dep = L - S + 1 (dep=1: the previous load). Registers the core
 * writes (a heap call's result, a system call's, a signal frame) and temporaries of CAS, LL/SC
 * and helper calls derive from no load.
 *
 * Branch mispredictions (mispredict=M, docs/trace-format.md "Capture"): a branch predictor is
 * simulated the way Cachegrind's --branch-sim=yes does (its manual, "Branch simulation
 * specifics"), so that the counts are the ones a Valgrind user knows: a conditional branch (an
 * IR side exit of guest code) is predicted by a table of 16384 2-bit saturating counters indexed
 * by the low bits of the branch's address combined with the outcomes of the last 4 conditional
 * branches; an indirect jump or call (a block whose next address is computed) by a 512-entry
 * table of last targets indexed by its address. Returns are left out: every core here predicts
 * them with a return stack (the TRMs' "return stack"), which Cachegrind does not model. The
 * mispredicts of a thread since its previous recorded access ride on its next recorded access
 * (its gap raised to at least their count: a branch that ends a superblock is in no gap).
 *
 * Only the process started is recorded: a forked child stops recording, and an execve (which
 * Valgrind does not follow) is noted in the log so that mtesim can name the new program.
 *
 * glibc's vectorised string routines read up to 31 bytes past the end of a string, past its
 * chunk (harmless without MTE). An MTE-aware libc's routines never read past the 16-byte granule
 * holding the terminator (they align their loads to granules), so a load that starts inside a
 * chunk and runs past its last granule by less than 32 bytes is recorded clamped to that
 * granule, and counted (clamped_loads in the summary). For the same reason a vector load (16
 * bytes or more) that starts in a redzone, or that continues a scan (it starts where the
 * thread's previous vector load ended) from another chunk into one in quarantine, is taken for such a routine's read
 * ahead and not written (counted as read-ahead loads). Stores are never clamped or dropped: an
 * overflowing store is a real bug.
 */
#include "pub_tool_basics.h"
#include "pub_tool_tooliface.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_libcproc.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "pub_tool_oset.h"
#include "pub_tool_replacemalloc.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_vkiscnums.h"

#include "mg_trace_ops.h"

/* ---- options ------------------------------------------------------------------------------ */

static const HChar *clo_out = "mtegrind.mtb";
static Bool clo_all = False;          /* --accesses=all: also non-heap accesses */
static const HChar *clo_tcf = "sync"; /* the threads' tag-check mode in the trace */
/* Bytes of freed chunks held back from reuse. ASan's default quarantine_size_mb is 256 on
 * 64-bit hosts (1 << 8, asan_flags.cpp; 64 when ASAN_LOW_MEMORY): a detector wants a freed
 * range to stay recognisable as long as memory allows. Scudo, a hardening allocator, keeps
 * only 256 KiB (legacy QuarantineSizeKb, chunks up to 2 KiB) or none at all (standalone
 * quarantine_size_kb = 0, where MTE's retag on free does the job). mtegrind is a detector for
 * the length of one capture, so it takes ASan's figure. */
static Long clo_quarantine_mb = 256;

static Bool mg_process_cmd_line_option(const HChar *arg) {
    const HChar *acc = NULL;
    if VG_STR_CLO(arg, "--out", clo_out) {}
    else if VG_STR_CLO(arg, "--tcf", clo_tcf) {}
    else if VG_BINT_CLO(arg, "--quarantine-mb", clo_quarantine_mb, 0, 1 << 20) {}
    else if VG_STR_CLO(arg, "--accesses", acc) {
        if (VG_(strcmp)(acc, "all") == 0) clo_all = True;
        else if (VG_(strcmp)(acc, "heap") == 0) clo_all = False;
        else VG_(fmsg_bad_option)(arg, "expected --accesses=heap or --accesses=all\n");
    }
    else return False;
    return True;
}

static void mg_print_usage(void) {
    VG_(printf)("    --out=FILE              the mtesim binary trace to write [mtegrind.mtb]\n"
                "    --accesses=heap|all     record accesses inside heap chunks only, or all [heap]\n"
                "    --tcf=none|sync|async|asymm  tag-check mode of the recorded threads [sync]\n"
                "    --quarantine-mb=N       MiB of freed chunks held back from reuse (ASan's default) [256]\n"
                "    (core option --redzone-size=N sets the bytes of redzone on each side of a chunk [16])\n");
}

static void mg_print_debug_usage(void) {}

/* ---- output ------------------------------------------------------------------------------- */

static Int out_fd = -1;
static HChar out_buf[1 << 16];
static Int out_len = 0;
static Bool recording = True; /* False in a forked child: the trace is the parent's */

static void out_flush(void) {
    Int done = 0;
    while (done < out_len) {
        Int n = VG_(write)(out_fd, out_buf + done, out_len - done);
        if (n <= 0) {
            VG_(umsg)("mtegrind: write error on %s\n", clo_out);
            break;
        }
        done += n;
    }
    out_len = 0;
}

static void out_bytes(const void *p, Int n) {
    if (!recording) return;
    if (out_len + n > (Int)sizeof out_buf) out_flush();
    VG_(memcpy)(out_buf + out_len, p, n);
    out_len += n;
}

static void out_record(const MgRecord *r) { out_bytes(r, (Int)sizeof *r); }

/* A record with every field at its "none": no name, no destination. */
static MgRecord record(UChar op, ThreadId tid) {
    MgRecord r;
    VG_(memset)(&r, 0, sizeof r);
    r.op = op;
    r.thread = (UInt)tid;
    r.dest = MG_NO_NAME;
    r.name = MG_NO_NAME;
    return r;
}

/* Name ids are 0, 1, 2... in order of first use, shared by chunk handles (h<id+1>) and the
 * copies a double or invalid free is made through (d<id+1>). */
static UInt next_name = 0;

/* Defines a new name with @prefix; returns its id. The record and its text go to the buffer
 * together, so a flush never splits them (a trace cut short ends on a whole record). */
static UInt define_name(HChar prefix) {
    const UInt id = next_name++;
    HChar text[32];
    VG_(memset)(text, 0, sizeof text);
    VG_(snprintf)(text, sizeof text, "%c%u", prefix, id + 1);
    const SizeT len = VG_(strlen)(text);
    const Int padded = (Int)((len + 7) & ~(SizeT)7);
    if (out_len + (Int)sizeof(MgRecord) + padded > (Int)sizeof out_buf) out_flush();
    MgRecord r = record(MG_OP_DEFINE_NAME, 0);
    r.name = id;
    r.arg = len;
    out_record(&r);
    out_bytes(text, padded);
    return id;
}

static UInt tcf_number(void) {
    if (VG_(strcmp)(clo_tcf, "none") == 0) return 0;
    if (VG_(strcmp)(clo_tcf, "async") == 0) return 2;
    if (VG_(strcmp)(clo_tcf, "asymm") == 0) return 3;
    return 1;
}

/* ---- threads ------------------------------------------------------------------------------ */

#define MAX_THREADS 4096
static Bool thread_seen[MAX_THREADS];
static ULong accesses = 0, heap_accesses = 0, clamped = 0, heap_calls = 0;
static ULong uaf_accesses = 0, redzone_accesses = 0, read_ahead = 0, double_frees = 0, invalid_frees = 0;
static ULong quarantined_now = 0, quarantine_evicted = 0;
/* The end of each thread's previous vector load and the chunk it was in (a string routine's
 * scan, see the top of the file). */
static Addr scan_end[MAX_THREADS];
static Addr scan_chunk[MAX_THREADS];

static void see_thread(ThreadId tid) {
    if (tid >= MAX_THREADS || thread_seen[tid]) return;
    thread_seen[tid] = True;
    MgRecord r = record(MG_OP_THREAD_CREATE, tid);
    r.arg = MG_ANY_CORE;
    r.aux = tcf_number() | (0x1u << 8); /* tag 0 excluded from IRG */
    r.raw_or_offset = 1;                /* process 1 */
    out_record(&r);
}

/* ---- chunks: live and quarantined ------------------------------------------------------- */

typedef struct Chunk {
    Addr start;         /* key */
    SizeT size;
    UInt name;          /* its handle's name id */
    Bool freed;         /* in quarantine */
    struct Chunk *next; /* the next in quarantine (FIFO) */
} Chunk;

static OSet *chunks; /* live and quarantined chunks, by start; they never overlap */
static SizeT redzone = 16;   /* bytes on each side of a chunk (Valgrind's client redzone) */
static Chunk *q_head = NULL, *q_tail = NULL;
static ULong q_bytes = 0;

static SizeT extent(const Chunk *c) { return c->size ? c->size : 1; }

/* The chunk holding @key, for the ordered-set search. */
static Word cmp_in_chunk(const void *key, const void *elem) {
    Addr a = *(const Addr *)key;
    const Chunk *c = (const Chunk *)elem;
    if (a < c->start) return -1;
    if (a >= c->start + extent(c)) return 1;
    return 0;
}

/* The chunk whose leading redzone [start - rz, start) holds @key. Chunks are ordered and do
 * not overlap, so the chunks whose range lies wholly below a key come first, those wholly
 * above last, and a binary search finds one in between if there is one. */
static Word cmp_in_lead(const void *key, const void *elem) {
    Addr a = *(const Addr *)key;
    const Chunk *c = (const Chunk *)elem;
    if (a + redzone < c->start) return -1;
    if (a >= c->start) return 1;
    return 0;
}

/* The chunk whose trailing redzone [end, end + rz) holds @key. */
static Word cmp_in_trail(const void *key, const void *elem) {
    Addr a = *(const Addr *)key;
    const Chunk *c = (const Chunk *)elem;
    if (a < c->start + extent(c)) return -1;
    if (a >= c->start + extent(c) + redzone) return 1;
    return 0;
}

/* Most accesses are to the stack or to globals, outside [heap_lo, heap_hi) (every chunk ever
 * allocated lies inside it, with its redzones), and the rest mostly hit the chunk hit last:
 * both are answered without a search of the tree. */
static Addr heap_lo = ~(Addr)0, heap_hi = 0;
static Chunk *last_chunk = NULL;

static Chunk *chunk_at(Addr a) {
    if (a < heap_lo || a >= heap_hi) return NULL;
    if (last_chunk && a >= last_chunk->start && a < last_chunk->start + extent(last_chunk))
        return last_chunk;
    Chunk *c = VG_(OSetGen_LookupWithCmp)(chunks, &a, cmp_in_chunk);
    if (c) last_chunk = c;
    return c;
}

/* The chunk nearest to @a, an address in no chunk, if @a is in one of its redzones: the one
 * whose start or end is closer when @a is in the redzones of two neighbours. */
static Chunk *chunk_near(Addr a) {
    if (a + redzone < heap_lo || a >= heap_hi) return NULL;
    Chunk *lead = VG_(OSetGen_LookupWithCmp)(chunks, &a, cmp_in_lead);
    Chunk *trail = VG_(OSetGen_LookupWithCmp)(chunks, &a, cmp_in_trail);
    if (!lead) return trail;
    if (!trail) return lead;
    return lead->start - a <= a - (trail->start + extent(trail)) ? lead : trail;
}

static Chunk *add_chunk(Addr p, SizeT n) {
    Chunk *c = VG_(OSetGen_AllocNode)(chunks, sizeof(Chunk));
    c->start = p;
    c->size = n;
    c->name = define_name('h');
    c->freed = False;
    c->next = NULL;
    VG_(OSetGen_Insert)(chunks, c);
    if (p - redzone < heap_lo) heap_lo = p > redzone ? p - redzone : 0;
    if (p + extent(c) + redzone > heap_hi) heap_hi = p + extent(c) + redzone;
    return c;
}

static void remove_chunk(Chunk *c) {
    Addr a = c->start;
    if (last_chunk == c) last_chunk = NULL;
    VG_(OSetGen_Remove)(chunks, &a);
    VG_(OSetGen_FreeNode)(chunks, c);
}

/* Puts a freed chunk in quarantine (its memory stays out of Valgrind's arena, so no later
 * allocation gets its addresses), then gives the oldest chunks back to the arena while the
 * quarantine holds more than --quarantine-mb: their addresses become reusable and are then in
 * no chunk (what the documentation's "limit" is about). A chunk counts its size rounded to
 * granules plus its redzones, as ASan counts a chunk's whole footprint. */
static void quarantine(Chunk *c) {
    c->freed = True;
    c->next = NULL;
    if (q_tail) q_tail->next = c; else q_head = c;
    q_tail = c;
    q_bytes += ((c->size + 15) & ~(SizeT)15) + 2 * redzone;
    ++quarantined_now;
    const ULong limit = (ULong)clo_quarantine_mb << 20;
    while (q_head && q_bytes > limit) {
        Chunk *old = q_head;
        q_head = old->next;
        if (!q_head) q_tail = NULL;
        q_bytes -= ((old->size + 15) & ~(SizeT)15) + 2 * redzone;
        --quarantined_now;
        ++quarantine_evicted;
        void *p = (void *)old->start;
        remove_chunk(old);
        VG_(cli_free)(p);
    }
}

/* ---- regions for raw accesses (--accesses=all) -------------------------------------------- */

static OSet *regions; /* 2 MiB-aligned bases already mapped in the trace */

static void ensure_mapped(ThreadId tid, Addr a, SizeT n) {
    for (Addr r = a & ~(Addr)0x1fffff; r < a + n; r += 0x200000) {
        if (VG_(OSetWord_Contains)(regions, r)) continue;
        VG_(OSetWord_Insert)(regions, r);
        MgRecord m = record(MG_OP_MMAP, tid);
        m.raw_or_offset = r;
        m.arg = 0x200000;
        out_record(&m);
    }
}

/* ---- dependences: loads recorded and the shadow of memory ------------------------------- */

/* Loads recorded per thread: the sequence number of the last one (the first is 1). */
static ULong loads_recorded[MAX_THREADS];
static ULong dep_accesses = 0; /* accesses written with dep=K */
#define MG_MAX_DEP 64          /* kMaxLoadDependency of trace_event.h */

/* The shadow of memory: for an 8-byte word that a thread stored, the load its value derived
 * from. Direct-mapped by word address: a collision forgets the older word, which loses a
 * dependence but never invents one (an entry is used only for its own word and thread). */
typedef struct {
    Addr word;
    ULong origin; /* load sequence number of thread tid; 0: none */
    UInt tid;
} MemShadow;
#define MEM_SHADOW_BITS 16
static MemShadow mem_shadow[1u << MEM_SHADOW_BITS];

static MemShadow *mem_shadow_slot(Addr word) {
    return &mem_shadow[((word >> 3) * 0x9e3779b97f4a7c15ull) >> (64 - MEM_SHADOW_BITS)];
}

/* A store of @n bytes at @a whose data derives from load @origin of thread @tid (0: none). */
static void shadow_store(ThreadId tid, Addr a, SizeT n, ULong origin) {
    if (n == 8 && (a & 7) == 0 && origin) {
        MemShadow *m = mem_shadow_slot(a);
        m->word = a;
        m->origin = origin;
        m->tid = (UInt)tid;
        return;
    }
    if (n > 4096) n = 4096;
    for (Addr w = a & ~(Addr)7; w < a + n; w += 8) {
        MemShadow *m = mem_shadow_slot(w);
        if (m->word == w) m->origin = 0;
    }
}

/* The load the 8-byte word at @a derives from, for thread @tid (0: none or not a whole word). */
static ULong shadow_load(ThreadId tid, Addr a, SizeT n) {
    if (n != 8 || (a & 7) != 0) return 0;
    const MemShadow *m = mem_shadow_slot(a);
    return m->word == a && m->tid == (UInt)tid ? m->origin : 0;
}

/* The core wrote a register (a heap call's result, a system call's, a signal frame): its value
 * derives from no load of the program. */
static void shadow_clear_reg(ThreadId tid, PtrdiffT offset, SizeT size) {
    static const UChar zeros[512];
    while (size > 0) {
        const SizeT n = size < sizeof zeros ? size : sizeof zeros;
        VG_(set_shadow_regs_area)(tid, 1, offset, n, zeros);
        offset += n;
        size -= n;
    }
}
static void mg_post_reg_write(CorePart part, ThreadId tid, PtrdiffT offset, SizeT size) {
    (void)part;
    shadow_clear_reg(tid, offset, size);
}
static void mg_post_clientcall(ThreadId tid, PtrdiffT offset, SizeT size, Addr f) {
    (void)f;
    shadow_clear_reg(tid, offset, size);
}

/* ---- accesses ----------------------------------------------------------------------------- */

/* ---- branch prediction (see the top of the file) ------------------------------------------- */

#define MG_COND_BITS 14 /* 16384 2-bit counters */
#define MG_HIST_BITS 4  /* outcomes of the last 4 conditional branches in the index */
#define MG_IND_BITS 9   /* 512 last targets */
#define MG_MAX_MISPREDICTS 0xffff /* one record's mispredict=M at most */
static UChar cond_counters[1 << MG_COND_BITS]; /* 0, 1: predict not taken; 2, 3: taken */
static UWord cond_history = 0;                 /* the last MG_HIST_BITS outcomes, newest in bit 0 */
static Addr ind_targets[1 << MG_IND_BITS];
static ULong cond_branches = 0, cond_mispredicts = 0, ind_branches = 0, ind_mispredicts = 0;
static ULong mispredicts_written = 0;
static UInt pending_mispredicts[MAX_THREADS]; /* since the thread's previous recorded access */

static void mispredicted(void) {
    const ThreadId tid = VG_(get_running_tid)();
    if (tid < MAX_THREADS) ++pending_mispredicts[tid];
}

/* A conditional branch at @pc, taken or not: the counter its address and the recent history
 * select predicts it, then learns the outcome. */
static VG_REGPARM(2) void on_cond_branch(Addr pc, UWord taken) {
    const UWord mask = (1u << MG_COND_BITS) - 1;
    const UWord index = ((pc << MG_HIST_BITS) ^ (cond_history & ((1u << MG_HIST_BITS) - 1))) & mask;
    UChar *c = &cond_counters[index];
    ++cond_branches;
    if ((*c >= 2) != (taken != 0)) {
        ++cond_mispredicts;
        mispredicted();
    }
    if (taken) { if (*c < 3) ++*c; }
    else if (*c > 0) --*c;
    cond_history = cond_history << 1 | (taken != 0);
}

/* An indirect jump or call at @pc to @target: predicted to go where it went last time. */
static VG_REGPARM(2) void on_indirect_branch(Addr pc, Addr target) {
    Addr *last = &ind_targets[pc & ((1u << MG_IND_BITS) - 1)];
    ++ind_branches;
    if (*last != target) {
        ++ind_mispredicts;
        mispredicted();
    }
    *last = target;
}

/* The thread's mispredicts since its last recorded access go on @r (an access record): its gap
 * holds them (raised when shorter); beyond one record's 65535, compute records carry the rest. */
static void take_mispredicts(ThreadId tid, MgRecord *r) {
    if (tid >= MAX_THREADS || !pending_mispredicts[tid]) return;
    UInt m = pending_mispredicts[tid];
    pending_mispredicts[tid] = 0;
    mispredicts_written += m;
    while (m > MG_MAX_MISPREDICTS) {
        MgRecord c = record(MG_OP_COMPUTE, tid);
        c.arg = MG_MAX_MISPREDICTS;
        c.mispredicts = MG_MAX_MISPREDICTS;
        out_record(&c);
        m -= MG_MAX_MISPREDICTS;
    }
    r->mispredicts = (unsigned short)m;
    if (r->aux < m) r->aux = m;
}

/*
 * An access of the program: found against the chunk it falls in (live: a valid access; in
 * quarantine: a use after free through the freed handle), else against the chunk whose
 * redzone it falls in (an out-of-bounds offset: h3+48, h3-16), else raw (--accesses=all) or
 * dropped. Loads of libc's string routines that read ahead of the string are clamped or
 * dropped as an MTE-aware libc would not make them (see the top of the file).
 */
static UWord on_access(Addr a, UWord size_write, UWord gap, UWord addr_origin, UWord data_origin) {
    const ThreadId tid = VG_(get_running_tid)();
    const SizeT size = size_write >> 1;
    const Bool write = size_write & 1;
    /* The value a load gives when it is not recorded: the shadow of the word it reads. */
    const UWord passed_on = write ? 0 : shadow_load(tid, a, size);
    if (write) shadow_store(tid, a, size, data_origin);
    Chunk *c = chunk_at(a);
    if (!c && a + redzone >= heap_lo && a < heap_hi) c = chunk_near(a);
    if (!c && !clo_all) return passed_on;
    SizeT n = size;
    if (n == 0 || a + n < a || a >= ((Addr)1 << 47)) return passed_on;
    if (c && !write && n >= 16 && tid < MAX_THREADS) {
        /* A vector load: a string routine's read ahead if it starts in a redzone, or if it
         * continues the thread's scan (it starts within 128 bytes after the previous vector
         * load's end, the reach of an unrolled 4 x 32-byte loop) from another chunk into a
         * chunk in quarantine. (Into a live chunk it is a valid access, written as before.) */
        const Bool in_redzone = a < c->start || a >= c->start + extent(c);
        const Bool continues = c->freed && scan_end[tid] && a + n >= scan_end[tid] && a < scan_end[tid] + 128 &&
                               scan_chunk[tid] != c->start;
        if (!in_redzone && !continues) scan_chunk[tid] = c->start;
        scan_end[tid] = a + n;
        if (in_redzone || continues) {
            ++read_ahead;
            if (!clo_all) return passed_on;
            c = NULL;
        }
    }
    see_thread(tid);
    ++accesses;
    MgRecord r = record(write ? MG_OP_STORE : MG_OP_LOAD, tid);
    r.aux = (UInt)gap;
    if (c) {
        const Addr granule_end = c->start + ((c->size + 15) & ~(SizeT)15);
        if (!write && a + n > granule_end && a + n - granule_end < 32 && a < granule_end && a >= c->start) {
            n = granule_end - a;
            ++clamped;
        }
        ++heap_accesses;
        if (c->freed) ++uaf_accesses;
        if (a < c->start || a >= c->start + extent(c)) ++redzone_accesses;
        r.has_name = 1;
        r.name = c->name;
        r.raw_or_offset = (ULong)(Long)(a - c->start); /* negative in the leading redzone */
    } else {
        ensure_mapped(tid, a, n);
        r.raw_or_offset = a;
    }
    r.arg = n;
    /* The address derives from load addr_origin: the K-th most recent recorded load. */
    const ULong last = tid < MAX_THREADS ? loads_recorded[tid] : 0;
    if (addr_origin && addr_origin <= last && last - addr_origin < MG_MAX_DEP) {
        r.dep = (UInt)(last - addr_origin + 1);
        ++dep_accesses;
    }
    take_mispredicts(tid, &r);
    out_record(&r);
    if (write || tid >= MAX_THREADS) return 0;
    return ++loads_recorded[tid]; /* the value now derives from this load */
}

/*
 * The instrumentation: a call of on_access before every memory access, and the shadow of the
 * data flow (see the top of the file). Every temporary t of the block gets a shadow temporary
 * (I64: a load sequence number, 0 for none) assigned where t is; an 8-byte guest register at
 * offset o has its shadow at o + the guest state's size (Valgrind's first shadow area).
 */
typedef struct {
    IRSB *sb;
    IRTemp *shadow; /* per temporary of the input block; IRTemp_INVALID until assigned */
    Int n_tmps;
    Int state_size; /* bytes of guest state: the shadow area's offset */
    Int ip_offset;
} Instr;

static IRExpr *zero64(void) { return IRExpr_Const(IRConst_U64(0)); }

/* The shadow of an atom: a temporary's shadow, or 0 for a constant. */
static IRExpr *shadow_of(Instr *in, IRExpr *atom) {
    if (atom && atom->tag == Iex_RdTmp) {
        const IRTemp t = atom->Iex.RdTmp.tmp;
        if (t < (IRTemp)in->n_tmps && in->shadow[t] != IRTemp_INVALID) return IRExpr_RdTmp(in->shadow[t]);
    }
    return zero64();
}

/* The most recent of two shadows (the larger sequence number), flat. */
static IRExpr *shadow_max(Instr *in, IRExpr *a, IRExpr *b) {
    if (a->tag == Iex_Const) return b;
    if (b->tag == Iex_Const) return a;
    IRTemp lt = newIRTemp(in->sb->tyenv, Ity_I1), m = newIRTemp(in->sb->tyenv, Ity_I64);
    addStmtToIRSB(in->sb, IRStmt_WrTmp(lt, IRExpr_Binop(Iop_CmpLT64U, a, b)));
    addStmtToIRSB(in->sb, IRStmt_WrTmp(m, IRExpr_ITE(IRExpr_RdTmp(lt), b, a)));
    return IRExpr_RdTmp(m);
}

/* Assigns @value (an atom) to the shadow of temporary @t. */
static void set_shadow(Instr *in, IRTemp t, IRExpr *value) {
    if (t == IRTemp_INVALID || t >= (IRTemp)in->n_tmps) return;
    if (in->shadow[t] == IRTemp_INVALID) in->shadow[t] = newIRTemp(in->sb->tyenv, Ity_I64);
    addStmtToIRSB(in->sb, IRStmt_WrTmp(in->shadow[t], value));
}

/* Zeroes the shadow of guest state [offset, offset + size): whole 8-byte words, so a narrow or
 * vector write leaves no stale sequence number behind (it may clear a neighbour's, which only
 * loses a dependence). */
static void shadow_put_zero(Instr *in, Int offset, Int size) {
    for (Int w = offset & ~7; w < offset + size && w + 8 <= in->state_size; w += 8)
        addStmtToIRSB(in->sb, IRStmt_Put(in->state_size + w, zero64()));
}

/* A general-purpose register's part: its shadow is the 8-byte word holding it (eax, ax, al and
 * ah share rax's), so a 32-bit index or a byte merged into a register keeps its load. */
static Bool integer_type(IRType ty) { return ty == Ity_I8 || ty == Ity_I16 || ty == Ity_I32 || ty == Ity_I64; }

/* The shadow of an expression (a WrTmp's right-hand side): the max of its operands'. */
static IRExpr *shadow_expr(Instr *in, IRExpr *e) {
    switch (e->tag) {
    case Iex_RdTmp: return shadow_of(in, e);
    case Iex_Get:
        if (!integer_type(e->Iex.Get.ty) || e->Iex.Get.offset == in->ip_offset) return zero64();
        {
            IRTemp t = newIRTemp(in->sb->tyenv, Ity_I64);
            addStmtToIRSB(in->sb, IRStmt_WrTmp(t, IRExpr_Get(in->state_size + (e->Iex.Get.offset & ~7), Ity_I64)));
            return IRExpr_RdTmp(t);
        }
    case Iex_Unop: return shadow_of(in, e->Iex.Unop.arg);
    case Iex_Binop: return shadow_max(in, shadow_of(in, e->Iex.Binop.arg1), shadow_of(in, e->Iex.Binop.arg2));
    case Iex_Triop: {
        IRTriop *t = e->Iex.Triop.details;
        return shadow_max(in, shadow_max(in, shadow_of(in, t->arg1), shadow_of(in, t->arg2)), shadow_of(in, t->arg3));
    }
    case Iex_Qop: {
        IRQop *q = e->Iex.Qop.details;
        IRExpr *m = shadow_max(in, shadow_of(in, q->arg1), shadow_of(in, q->arg2));
        return shadow_max(in, shadow_max(in, m, shadow_of(in, q->arg3)), shadow_of(in, q->arg4));
    }
    case Iex_ITE:
        return shadow_max(in, shadow_max(in, shadow_of(in, e->Iex.ITE.cond), shadow_of(in, e->Iex.ITE.iftrue)),
                          shadow_of(in, e->Iex.ITE.iffalse));
    case Iex_CCall: {
        IRExpr *m = zero64();
        for (Int k = 0; e->Iex.CCall.args[k]; k++) m = shadow_max(in, m, shadow_of(in, e->Iex.CCall.args[k]));
        return m;
    }
    default: return zero64(); /* constants, GetI (x87 registers) */
    }
}

/* Adds a call of on_access(addr, size << 1 | write, gap, addr's shadow, data's shadow) before
 * the current statement; returns the temporary holding the loaded value's shadow. */
static IRTemp add_access(Instr *in, IRExpr *addr, Int size, Bool write, Int gap, IRExpr *data) {
    IRExpr **args = mkIRExprVec_5(addr, mkIRExpr_HWord((HWord)(size << 1 | (write ? 1 : 0))), mkIRExpr_HWord((HWord)gap),
                                  shadow_of(in, addr), data ? shadow_of(in, data) : zero64());
    IRTemp origin = newIRTemp(in->sb->tyenv, Ity_I64);
    IRDirty *d = unsafeIRDirty_1_N(origin, 0, "on_access", VG_(fnptr_to_fnentry)(on_access), args);
    addStmtToIRSB(in->sb, IRStmt_Dirty(d));
    return origin;
}

static IRSB *mg_instrument(VgCallbackClosure *closure, IRSB *bb, const VexGuestLayout *layout,
                           const VexGuestExtents *vge, const VexArchInfo *archinfo, IRType gWordTy, IRType hWordTy) {
    (void)closure; (void)vge; (void)archinfo; (void)hWordTy;
    if (gWordTy != hWordTy) VG_(tool_panic)("host/guest word size mismatch");
    Instr in;
    in.sb = deepCopyIRSBExceptStmts(bb);
    in.n_tmps = bb->tyenv->types_used;
    in.shadow = VG_(malloc)("mg.shadow", sizeof(IRTemp) * (in.n_tmps ? in.n_tmps : 1));
    for (Int t = 0; t < in.n_tmps; t++) in.shadow[t] = IRTemp_INVALID;
    in.state_size = layout->total_sizeB;
    in.ip_offset = layout->offset_IP;
    IRSB *sb = in.sb;
    Int i = 0, gap = 0;
    Addr pc = 0, next_pc = 0; /* the current guest instruction and its fall-through */
    while (i < bb->stmts_used && bb->stmts[i]->tag != Ist_IMark) addStmtToIRSB(sb, bb->stmts[i++]);
    for (; i < bb->stmts_used; i++) {
        IRStmt *st = bb->stmts[i];
        if (!st || st->tag == Ist_NoOp) continue;
        IRTemp defined = IRTemp_INVALID; /* a temporary the statement assigns */
        IRExpr *its_shadow = NULL;       /* and its shadow, when known before the statement */
        switch (st->tag) {
        case Ist_IMark:
            ++gap;
            pc = (Addr)st->Ist.IMark.addr;
            next_pc = pc + (Addr)st->Ist.IMark.len;
            break;
        case Ist_Exit:
            /* A conditional branch of guest code (not a side exit of Valgrind's: a fault, an
             * emulation warning). An exit to the fall-through address is the branch with its
             * guard inverted (VEX may lay a branch out either way round). */
            if (st->Ist.Exit.jk == Ijk_Boring || st->Ist.Exit.jk == Ijk_Call) {
                const Bool inverted = st->Ist.Exit.dst->tag == Ico_U64 && (Addr)st->Ist.Exit.dst->Ico.U64 == next_pc;
                IRTemp g = newIRTemp(sb->tyenv, Ity_I64);
                addStmtToIRSB(sb, IRStmt_WrTmp(g, IRExpr_Unop(Iop_1Uto64, st->Ist.Exit.guard)));
                IRExpr *taken = IRExpr_RdTmp(g);
                if (inverted) {
                    IRTemp n = newIRTemp(sb->tyenv, Ity_I64);
                    addStmtToIRSB(sb, IRStmt_WrTmp(n, IRExpr_Binop(Iop_Xor64, taken, IRExpr_Const(IRConst_U64(1)))));
                    taken = IRExpr_RdTmp(n);
                }
                IRDirty *d = unsafeIRDirty_0_N(2, "on_cond_branch", VG_(fnptr_to_fnentry)(on_cond_branch),
                                               mkIRExprVec_2(mkIRExpr_HWord((HWord)pc), taken));
                addStmtToIRSB(sb, IRStmt_Dirty(d));
            }
            break;
        case Ist_WrTmp: {
            IRExpr *e = st->Ist.WrTmp.data;
            defined = st->Ist.WrTmp.tmp;
            if (e->tag == Iex_Load) {
                IRTemp o = add_access(&in, e->Iex.Load.addr, sizeofIRType(e->Iex.Load.ty), False, gap > 0 ? gap - 1 : 0, NULL);
                its_shadow = IRExpr_RdTmp(o);
                gap = 0;
            } else {
                its_shadow = shadow_expr(&in, e);
            }
            break;
        }
        case Ist_Put: {
            IRExpr *data = st->Ist.Put.data;
            const Int off = st->Ist.Put.offset;
            if (off == in.ip_offset) break;
            const IRType ty = typeOfIRExpr(bb->tyenv, data);
            if (integer_type(ty) && (off & 7) + sizeofIRType(ty) <= 8)
                addStmtToIRSB(sb, IRStmt_Put(in.state_size + (off & ~7), shadow_of(&in, data)));
            else
                shadow_put_zero(&in, off, sizeofIRType(ty));
            break;
        }
        case Ist_Store: {
            IRExpr *data = st->Ist.Store.data;
            add_access(&in, st->Ist.Store.addr, sizeofIRType(typeOfIRExpr(bb->tyenv, data)), True, gap > 0 ? gap - 1 : 0, data);
            gap = 0;
            break;
        }
        case Ist_StoreG: {
            IRStoreG *sg = st->Ist.StoreG.details;
            add_access(&in, sg->addr, sizeofIRType(typeOfIRExpr(bb->tyenv, sg->data)), True, gap > 0 ? gap - 1 : 0, sg->data);
            gap = 0;
            break;
        }
        case Ist_LoadG: {
            IRLoadG *lg = st->Ist.LoadG.details;
            IRType ty = Ity_INVALID, wide = Ity_INVALID;
            typeOfIRLoadGOp(lg->cvt, &wide, &ty);
            IRTemp o = add_access(&in, lg->addr, sizeofIRType(ty), False, gap > 0 ? gap - 1 : 0, NULL);
            defined = lg->dst;
            its_shadow = IRExpr_RdTmp(o);
            gap = 0;
            break;
        }
        case Ist_Dirty: {
            IRDirty *d = st->Ist.Dirty.details;
            if (d->mFx != Ifx_None && d->mAddr) {
                if (d->mFx == Ifx_Read || d->mFx == Ifx_Modify) add_access(&in, d->mAddr, d->mSize, False, 0, NULL);
                if (d->mFx == Ifx_Write || d->mFx == Ifx_Modify) add_access(&in, d->mAddr, d->mSize, True, 0, NULL);
            }
            defined = d->tmp;
            its_shadow = zero64();
            break;
        }
        case Ist_CAS: {
            IRCAS *cas = st->Ist.CAS.details;
            Int n = sizeofIRType(typeOfIRExpr(bb->tyenv, cas->dataLo)) * (cas->dataHi ? 2 : 1);
            add_access(&in, cas->addr, n, False, 0, NULL);
            add_access(&in, cas->addr, n, True, 0, NULL);
            set_shadow(&in, cas->oldLo, zero64());
            if (cas->oldHi != IRTemp_INVALID) set_shadow(&in, cas->oldHi, zero64());
            break;
        }
        case Ist_LLSC:
            if (st->Ist.LLSC.storedata == NULL)
                add_access(&in, st->Ist.LLSC.addr, sizeofIRType(typeOfIRTemp(bb->tyenv, st->Ist.LLSC.result)), False, 0, NULL);
            else
                add_access(&in, st->Ist.LLSC.addr, sizeofIRType(typeOfIRExpr(bb->tyenv, st->Ist.LLSC.storedata)), True, 0,
                           st->Ist.LLSC.storedata);
            set_shadow(&in, st->Ist.LLSC.result, zero64());
            break;
        default: break;
        }
        if (defined != IRTemp_INVALID && its_shadow) set_shadow(&in, defined, its_shadow);
        addStmtToIRSB(sb, st);
        if (st->tag == Ist_Dirty) { /* guest state a helper writes (CPUID, XRSTOR...) derives from no load */
            IRDirty *d = st->Ist.Dirty.details;
            for (Int k = 0; k < d->nFxState; k++) {
                if (d->fxState[k].fx == Ifx_Read) continue;
                for (Int r = 0; r <= d->fxState[k].nRepeats; r++)
                    shadow_put_zero(&in, d->fxState[k].offset + r * d->fxState[k].repeatLen, d->fxState[k].size);
            }
        }
    }
    /* An indirect jump or call ends the block with a computed address (a return too, left out:
     * the return stack predicts it). */
    if ((bb->jumpkind == Ijk_Boring || bb->jumpkind == Ijk_Call) && bb->next->tag != Iex_Const) {
        IRDirty *d = unsafeIRDirty_0_N(2, "on_indirect_branch", VG_(fnptr_to_fnentry)(on_indirect_branch),
                                       mkIRExprVec_2(mkIRExpr_HWord((HWord)pc), bb->next));
        addStmtToIRSB(sb, IRStmt_Dirty(d));
    }
    VG_(free)(in.shadow);
    return sb;
}

/* ---- the heap ----------------------------------------------------------------------------- */

static void *record_alloc(ThreadId tid, SizeT n, SizeT align, SizeT nmemb, SizeT elem) {
    void *p = VG_(cli_malloc)(align, n);
    if (!p) return NULL;
    if (nmemb) VG_(memset)(p, 0, n);
    see_thread(tid);
    ++heap_calls;
    Chunk *c = add_chunk((Addr)p, n);
    MgRecord r = record(MG_OP_MALLOC, tid);
    r.dest = c->name;
    if (nmemb && nmemb <= 0xffffffffUL && n <= (1UL << 30)) {
        r.op = MG_OP_CALLOC;
        r.aux = (UInt)nmemb;
        r.arg = elem;
    } else {
        r.arg = n <= (1UL << 30) ? n : (1UL << 30);
    }
    out_record(&r);
    return p;
}

static void *mg_malloc(ThreadId tid, SizeT n) { return record_alloc(tid, n, VG_(clo_alignment), 0, 0); }
static void *mg_new_aligned(ThreadId tid, SizeT n, SizeT align) { return record_alloc(tid, n, align, 0, 0); }
static void *mg_memalign(ThreadId tid, SizeT align, SizeT n) { return record_alloc(tid, n, align, 0, 0); }
static void *mg_calloc(ThreadId tid, SizeT nmemb, SizeT size) {
    if (size && nmemb > ((SizeT)-1) / size) return NULL;
    return record_alloc(tid, nmemb * size, VG_(clo_alignment), nmemb ? nmemb : 1, size);
}

/*
 * A free (or realloc) of @p that is no live chunk's start: a double free if @p starts a chunk
 * in quarantine, else an invalid free. It is written as the free of a copy of the pointer,
 * since a trace may not free one handle twice (a program frees the same pointer through two
 * variables): addg d1 h3 0 0; free d1 (double), free d1+8 or d1-16 (inside or near a chunk),
 * or irg d1 ADDR; free d1 for an address near no chunk. mtesim's heap then finds the chunk
 * free, or no chunk start, and reports HEAP_DOUBLE_FREE or HEAP_INVALID_FREE. The program's
 * call frees nothing and returns (Memcheck's "Invalid free()" behaviour).
 */
static void record_bad_free(ThreadId tid, Addr a) {
    Chunk *c = chunk_at(a);
    if (!c) c = chunk_near(a);
    see_thread(tid);
    const UInt copy = define_name('d');
    MgRecord m = record(c ? MG_OP_ADDG : MG_OP_IRG, tid);
    m.dest = copy;
    if (c) {
        m.has_name = 1;
        m.name = c->name;
    } else {
        m.raw_or_offset = a & (((Addr)1 << 48) - 1);
    }
    out_record(&m);
    MgRecord f = record(MG_OP_FREE, tid);
    f.has_name = 1;
    f.name = copy;
    f.raw_or_offset = c ? (ULong)(Long)(a - c->start) : 0;
    out_record(&f);
    if (c && c->freed && a == c->start) ++double_frees; else ++invalid_frees;
}

static void record_free(ThreadId tid, void *p) {
    if (!p) return;
    Addr a = (Addr)p;
    Chunk *c = VG_(OSetGen_Lookup)(chunks, &a);
    ++heap_calls;
    if (!c || c->freed) {
        record_bad_free(tid, a);
        return;
    }
    see_thread(tid);
    MgRecord r = record(MG_OP_FREE, tid);
    r.has_name = 1;
    r.name = c->name;
    out_record(&r);
    if (last_chunk == c) last_chunk = NULL;
    quarantine(c);
}

static void mg_free(ThreadId tid, void *p) { record_free(tid, p); }
static void mg_free_aligned(ThreadId tid, void *p, SizeT align) { (void)align; record_free(tid, p); }

static void *mg_realloc(ThreadId tid, void *old, SizeT n) {
    if (!old) return mg_malloc(tid, n);
    Addr a = (Addr)old;
    Chunk *c = VG_(OSetGen_Lookup)(chunks, &a);
    if (!c || c->freed) { /* realloc of a pointer not live: a bad free, then NULL (Memcheck) */
        ++heap_calls;
        record_bad_free(tid, a);
        return NULL;
    }
    void *p = VG_(cli_malloc)(VG_(clo_alignment), n);
    if (!p) return NULL;
    VG_(memcpy)(p, old, c->size < n ? c->size : n);
    see_thread(tid);
    ++heap_calls;
    Chunk *nc = add_chunk((Addr)p, n);
    MgRecord r = record(MG_OP_REALLOC, tid);
    r.dest = nc->name;
    r.has_name = 1;
    r.name = c->name;
    r.arg = n <= (1UL << 30) ? n : (1UL << 30);
    out_record(&r);
    if (last_chunk == c) last_chunk = NULL;
    quarantine(c);
    return p;
}

static SizeT mg_usable_size(ThreadId tid, void *p) {
    (void)tid;
    Addr a = (Addr)p;
    Chunk *c = VG_(OSetGen_Lookup)(chunks, &a);
    return c && !c->freed ? c->size : 0;
}

/* ---- fork and exec ------------------------------------------------------------------------ */

/* A forked child runs under Valgrind too, with a copy of the tool's state and the same output
 * file: it must not write to the parent's trace (nor flush the copy of the parent's buffer), so
 * it stops recording. Its own heap calls still get memory. */
static void mg_atfork_child(ThreadId tid) {
    (void)tid;
    recording = False;
    out_len = 0;
    VG_(close)(out_fd);
    out_fd = -1;
}

/* An execve replaces the program by one Valgrind does not follow (no --trace-children), and
 * the tool's fini never runs: the trace so far is written out and the log says what was
 * executed, so mtesim can tell the user (a wrapper script, pyenv's shims...). An exec that fails
 * leaves the program running and recording; the note is then superseded by the summary. */
static void mg_pre_syscall(ThreadId tid, UInt sysno, UWord *args, UInt nargs) {
    (void)tid;
    (void)nargs;
    if (!recording || (sysno != __NR_execve && sysno != __NR_execveat)) return;
    out_flush();
    const HChar *file = (const HChar *)args[sysno == __NR_execve ? 0 : 1];
    VG_(umsg)("mtegrind: execve %s\n", file ? file : "?");
}

static void mg_post_syscall(ThreadId tid, UInt sysno, UWord *args, UInt nargs, SysRes res) {
    (void)tid; (void)sysno; (void)args; (void)nargs; (void)res;
}

/* ---- set-up and tear-down ----------------------------------------------------------------- */

static void mg_post_clo_init(void) {
    SysRes r = VG_(open)(clo_out, VKI_O_CREAT | VKI_O_TRUNC | VKI_O_WRONLY, 0644);
    if (sr_isError(r)) {
        VG_(fmsg)("mtegrind: cannot write %s\n", clo_out);
        VG_(exit)(2);
    }
    out_fd = (Int)sr_Res(r);
    static const HChar header[16] = {'M', 'T', 'E', 'S', 'I', 'M', 'B', '1', 1, 0, 0, 0, 0, 0, 0, 0}; /* version 1, no flags */
    out_bytes(header, 16);
    out_flush(); /* a trace cut short by a crash of Valgrind's is still a trace */
    redzone = VG_(malloc_effective_client_redzone_size)();
}

static void mg_fini(Int exitcode) {
    (void)exitcode;
    if (!recording) return; /* a forked child */
    out_flush();
    VG_(close)(out_fd);
    /* One line: mtesim passes mtegrind's summary line on. */
    VG_(umsg)("mtegrind: %llu accesses (%llu in heap chunks: %llu after free, %llu in redzones; %llu loads clamped "
              "to their last granule, %llu read-ahead loads dropped), %llu heap calls (%llu double frees, %llu invalid "
              "frees); quarantine %lld MiB, redzones %lu B, %llu chunks evicted; %llu accesses depend on a recorded load; "
              "branches: %llu conditional (%llu mispredicted), %llu indirect (%llu mispredicted), %llu mispredicts "
              "written -> %s\n",
              accesses, heap_accesses, uaf_accesses, redzone_accesses, clamped, read_ahead, heap_calls, double_frees,
              invalid_frees, clo_quarantine_mb, (unsigned long)redzone, quarantine_evicted, dep_accesses, cond_branches,
              cond_mispredicts, ind_branches, ind_mispredicts, mispredicts_written, clo_out);
}

static void mg_pre_clo_init(void) {
    VG_(details_name)("mtegrind");
    VG_(details_version)(NULL);
    VG_(details_description)("records a program as an mtesim trace");
    VG_(details_copyright_author)("mtesim");
    VG_(details_bug_reports_to)(VG_BUGS_TO);
    VG_(details_avg_translation_sizeB)(275);
    VG_(basic_tool_funcs)(mg_post_clo_init, mg_instrument, mg_fini);
    VG_(needs_command_line_options)(mg_process_cmd_line_option, mg_print_usage, mg_print_debug_usage);
    VG_(needs_malloc_replacement)(mg_malloc, mg_malloc, mg_new_aligned, mg_malloc, mg_new_aligned, mg_memalign, mg_calloc,
                                  mg_free, mg_free, mg_free_aligned, mg_free, mg_free_aligned, mg_realloc, mg_usable_size, 16);
    VG_(needs_syscall_wrapper)(mg_pre_syscall, mg_post_syscall);
    VG_(atfork)(NULL, NULL, mg_atfork_child);
    VG_(track_post_reg_write)(mg_post_reg_write);
    VG_(track_post_reg_write_clientcall_return)(mg_post_clientcall);
    chunks = VG_(OSetGen_Create)(offsetof(Chunk, start), NULL, VG_(malloc), "mg.chunks", VG_(free));
    regions = VG_(OSetWord_Create)(VG_(malloc), "mg.regions", VG_(free));
}

VG_DETERMINE_INTERFACE_VERSION(mg_pre_clo_init)
