/* mtegrind: a Valgrind tool that records a real x86-64 Linux program as an mtesim binary trace
 * (docs/trace-format.md, "Binary workload traces"; mg_trace_ops.h), for `mtesim trace capture`
 * / scripts/capture-trace, which reads it back, checks it and writes the format asked for.
 *
 * What it records, per thread and in execution order:
 *   - every heap call (malloc, calloc, realloc, free, new/delete, memalign), through Valgrind's
 *     malloc replacement, as malloc/calloc/realloc/free events on named handles (h1, h2...);
 *   - loads and stores: an access that falls in a live chunk is written against its handle
 *     (ld h17+24 8); with --accesses=all, other accesses are written raw, and each 2 MiB region
 *     they touch is mmap'ed first; the instructions executed since the previous access of the
 *     same superblock are carried as gap=N.
 *
 * glibc's vectorised string routines read up to 31 bytes past the end of a string, past its
 * chunk (harmless without MTE). An MTE-aware libc's routines never read past the 16-byte granule
 * holding the terminator (they align their loads to granules), so a load that starts inside a
 * chunk and runs past its last granule by less than 32 bytes is recorded clamped to that
 * granule, and counted (clamped_loads in the summary). Stores are never clamped: an overflowing
 * store is a real bug.
 */
#include "pub_tool_basics.h"
#include "pub_tool_tooliface.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "pub_tool_oset.h"
#include "pub_tool_replacemalloc.h"
#include "pub_tool_threadstate.h"

#include "mg_trace_ops.h"

/* ---- options ------------------------------------------------------------------------------ */

static const HChar *clo_out = "mtegrind.mtb";
static Bool clo_all = False;          /* --accesses=all: also non-heap accesses */
static const HChar *clo_tcf = "sync"; /* the threads' tag-check mode in the trace */

static Bool mg_process_cmd_line_option(const HChar *arg) {
    const HChar *acc = NULL;
    if VG_STR_CLO(arg, "--out", clo_out) {}
    else if VG_STR_CLO(arg, "--tcf", clo_tcf) {}
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
                "    --tcf=none|sync|async|asymm  tag-check mode of the recorded threads [sync]\n");
}

static void mg_print_debug_usage(void) {}

/* ---- output ------------------------------------------------------------------------------- */

static Int out_fd = -1;
static HChar out_buf[1 << 16];
static Int out_len = 0;

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

/* Defines name @id (ids are 0, 1, 2... in order of first use): handle h<id+1>. */
static void define_handle(ULong handle) {
    HChar text[32];
    VG_(snprintf)(text, sizeof text, "h%llu", (unsigned long long)handle);
    const SizeT len = VG_(strlen)(text);
    MgRecord r = record(MG_OP_DEFINE_NAME, 0);
    r.name = (UInt)(handle - 1);
    r.arg = len;
    out_record(&r);
    HChar padded[32];
    VG_(memset)(padded, 0, sizeof padded);
    VG_(memcpy)(padded, text, len);
    out_bytes(padded, (Int)((len + 7) & ~(SizeT)7));
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

static void see_thread(ThreadId tid) {
    if (tid >= MAX_THREADS || thread_seen[tid]) return;
    thread_seen[tid] = True;
    MgRecord r = record(MG_OP_THREAD_CREATE, tid);
    r.arg = MG_ANY_CORE;
    r.aux = tcf_number() | (0x1u << 8); /* tag 0 excluded from IRG */
    r.raw_or_offset = 1;                /* process 1 */
    out_record(&r);
}

/* ---- live chunks -------------------------------------------------------------------------- */

typedef struct {
    Addr start;      /* key */
    SizeT size;
    ULong handle;
} Chunk;

static OSet *chunks;
static ULong next_handle = 1;

/* The chunk holding @key (chunks never overlap), for the ordered-set search. */
static Word cmp_in_chunk(const void *key, const void *elem) {
    Addr a = *(const Addr *)key;
    const Chunk *c = (const Chunk *)elem;
    if (a < c->start) return -1;
    if (a >= c->start + (c->size ? c->size : 1)) return 1;
    return 0;
}

/* Most accesses are to the stack or to globals, outside [heap_lo, heap_hi) (every chunk ever
 * allocated lies inside it), and the rest mostly hit the chunk hit last: both are answered
 * without a search of the tree. */
static Addr heap_lo = ~(Addr)0, heap_hi = 0;
static Chunk *last_chunk = NULL;

static Chunk *chunk_at(Addr a) {
    if (a < heap_lo || a >= heap_hi) return NULL;
    if (last_chunk && a >= last_chunk->start && a < last_chunk->start + (last_chunk->size ? last_chunk->size : 1))
        return last_chunk;
    Chunk *c = VG_(OSetGen_LookupWithCmp)(chunks, &a, cmp_in_chunk);
    if (c) last_chunk = c;
    return c;
}

static Chunk *add_chunk(Addr p, SizeT n) {
    Chunk *c = VG_(OSetGen_AllocNode)(chunks, sizeof(Chunk));
    c->start = p;
    c->size = n;
    c->handle = next_handle++;
    VG_(OSetGen_Insert)(chunks, c);
    if (p < heap_lo) heap_lo = p;
    if (p + (n ? n : 1) > heap_hi) heap_hi = p + (n ? n : 1);
    return c;
}

static void remove_chunk(Chunk *c) {
    Addr a = c->start;
    if (last_chunk == c) last_chunk = NULL;
    VG_(OSetGen_Remove)(chunks, &a);
    VG_(OSetGen_FreeNode)(chunks, c);
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

/* ---- accesses ----------------------------------------------------------------------------- */

static VG_REGPARM(3) void on_access(Addr a, UWord size_write, UWord gap) {
    const ThreadId tid = VG_(get_running_tid)();
    const SizeT size = size_write >> 1;
    const Bool write = size_write & 1;
    Chunk *c = chunk_at(a);
    if (!c && !clo_all) return;
    see_thread(tid);
    ++accesses;
    SizeT n = size;
    if (n == 0 || a + n < a || a >= ((Addr)1 << 47)) return;
    MgRecord r = record(write ? MG_OP_STORE : MG_OP_LOAD, tid);
    r.aux = (UInt)gap;
    if (c) {
        const Addr granule_end = c->start + ((c->size + 15) & ~(SizeT)15);
        if (!write && a + n > granule_end && a + n - granule_end < 32 && a < granule_end) {
            n = granule_end - a;
            ++clamped;
        }
        ++heap_accesses;
        r.has_name = 1;
        r.name = (UInt)(c->handle - 1);
        r.raw_or_offset = a - c->start;
    } else {
        ensure_mapped(tid, a, n);
        r.raw_or_offset = a;
    }
    r.arg = n;
    out_record(&r);
}

/* Adds a call of on_access(addr, size << 1 | write, gap) before the current statement. */
static void add_access(IRSB *sb, IRExpr *addr, Int size, Bool write, Int gap) {
    IRExpr **args = mkIRExprVec_3(addr, mkIRExpr_HWord((HWord)(size << 1 | (write ? 1 : 0))), mkIRExpr_HWord((HWord)gap));
    IRDirty *d = unsafeIRDirty_0_N(3, "on_access", VG_(fnptr_to_fnentry)(on_access), args);
    addStmtToIRSB(sb, IRStmt_Dirty(d));
}

static IRSB *mg_instrument(VgCallbackClosure *closure, IRSB *in, const VexGuestLayout *layout,
                           const VexGuestExtents *vge, const VexArchInfo *archinfo, IRType gWordTy, IRType hWordTy) {
    (void)closure; (void)layout; (void)vge; (void)archinfo; (void)hWordTy;
    if (gWordTy != hWordTy) VG_(tool_panic)("host/guest word size mismatch");
    IRSB *sb = deepCopyIRSBExceptStmts(in);
    Int i = 0, gap = 0;
    while (i < in->stmts_used && in->stmts[i]->tag != Ist_IMark) addStmtToIRSB(sb, in->stmts[i++]);
    for (; i < in->stmts_used; i++) {
        IRStmt *st = in->stmts[i];
        if (!st || st->tag == Ist_NoOp) continue;
        switch (st->tag) {
        case Ist_IMark: ++gap; break;
        case Ist_WrTmp:
            if (st->Ist.WrTmp.data->tag == Iex_Load) {
                IRExpr *e = st->Ist.WrTmp.data;
                add_access(sb, e->Iex.Load.addr, sizeofIRType(e->Iex.Load.ty), False, gap > 0 ? gap - 1 : 0);
                gap = 0;
            }
            break;
        case Ist_Store: {
            IRExpr *data = st->Ist.Store.data;
            add_access(sb, st->Ist.Store.addr, sizeofIRType(typeOfIRExpr(in->tyenv, data)), True, gap > 0 ? gap - 1 : 0);
            gap = 0;
            break;
        }
        case Ist_StoreG: {
            IRStoreG *sg = st->Ist.StoreG.details;
            add_access(sb, sg->addr, sizeofIRType(typeOfIRExpr(in->tyenv, sg->data)), True, gap > 0 ? gap - 1 : 0);
            gap = 0;
            break;
        }
        case Ist_LoadG: {
            IRLoadG *lg = st->Ist.LoadG.details;
            IRType ty = Ity_INVALID, wide = Ity_INVALID;
            typeOfIRLoadGOp(lg->cvt, &wide, &ty);
            add_access(sb, lg->addr, sizeofIRType(ty), False, gap > 0 ? gap - 1 : 0);
            gap = 0;
            break;
        }
        case Ist_Dirty: {
            IRDirty *d = st->Ist.Dirty.details;
            if (d->mFx != Ifx_None && d->mAddr) {
                if (d->mFx == Ifx_Read || d->mFx == Ifx_Modify) add_access(sb, d->mAddr, d->mSize, False, 0);
                if (d->mFx == Ifx_Write || d->mFx == Ifx_Modify) add_access(sb, d->mAddr, d->mSize, True, 0);
            }
            break;
        }
        case Ist_CAS: {
            IRCAS *cas = st->Ist.CAS.details;
            Int n = sizeofIRType(typeOfIRExpr(in->tyenv, cas->dataLo)) * (cas->dataHi ? 2 : 1);
            add_access(sb, cas->addr, n, False, 0);
            add_access(sb, cas->addr, n, True, 0);
            break;
        }
        case Ist_LLSC:
            if (st->Ist.LLSC.storedata == NULL)
                add_access(sb, st->Ist.LLSC.addr, sizeofIRType(typeOfIRTemp(in->tyenv, st->Ist.LLSC.result)), False, 0);
            else
                add_access(sb, st->Ist.LLSC.addr, sizeofIRType(typeOfIRExpr(in->tyenv, st->Ist.LLSC.storedata)), True, 0);
            break;
        default: break;
        }
        addStmtToIRSB(sb, st);
    }
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
    define_handle(c->handle);
    MgRecord r = record(MG_OP_MALLOC, tid);
    r.dest = (UInt)(c->handle - 1);
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

static void record_free(ThreadId tid, void *p) {
    if (!p) return;
    Addr a = (Addr)p;
    Chunk *c = VG_(OSetGen_Lookup)(chunks, &a);
    see_thread(tid);
    ++heap_calls;
    if (c) {
        MgRecord r = record(MG_OP_FREE, tid);
        r.has_name = 1;
        r.name = (UInt)(c->handle - 1);
        out_record(&r);
        remove_chunk(c);
    }
    VG_(cli_free)(p);
}

static void mg_free(ThreadId tid, void *p) { record_free(tid, p); }
static void mg_free_aligned(ThreadId tid, void *p, SizeT align) { (void)align; record_free(tid, p); }

static void *mg_realloc(ThreadId tid, void *old, SizeT n) {
    if (!old) return mg_malloc(tid, n);
    Addr a = (Addr)old;
    Chunk *c = VG_(OSetGen_Lookup)(chunks, &a);
    if (!c) return NULL;
    void *p = VG_(cli_malloc)(VG_(clo_alignment), n);
    if (!p) return NULL;
    VG_(memcpy)(p, old, c->size < n ? c->size : n);
    see_thread(tid);
    ++heap_calls;
    Chunk *nc = add_chunk((Addr)p, n);
    define_handle(nc->handle);
    MgRecord r = record(MG_OP_REALLOC, tid);
    r.dest = (UInt)(nc->handle - 1);
    r.has_name = 1;
    r.name = (UInt)(c->handle - 1);
    r.arg = n <= (1UL << 30) ? n : (1UL << 30);
    out_record(&r);
    remove_chunk(c);
    VG_(cli_free)(old);
    return p;
}

static SizeT mg_usable_size(ThreadId tid, void *p) {
    (void)tid;
    Addr a = (Addr)p;
    Chunk *c = VG_(OSetGen_Lookup)(chunks, &a);
    return c ? c->size : 0;
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
}

static void mg_fini(Int exitcode) {
    (void)exitcode;
    out_flush();
    VG_(close)(out_fd);
    VG_(umsg)("mtegrind: %llu accesses (%llu in heap chunks, %llu loads clamped to their last granule), %llu heap "
              "calls -> %s\n", accesses, heap_accesses, clamped, heap_calls, clo_out);
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
                                  mg_free, mg_free, mg_free_aligned, mg_free, mg_free_aligned, mg_realloc, mg_usable_size, 0);
    chunks = VG_(OSetGen_Create)(offsetof(Chunk, start), NULL, VG_(malloc), "mg.chunks", VG_(free));
    regions = VG_(OSetWord_Create)(VG_(malloc), "mg.regions", VG_(free));
}

VG_DETERMINE_INTERFACE_VERSION(mg_pre_clo_init)
