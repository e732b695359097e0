// TraceEvent: one event of a workload trace, decoded and compact, as the trace readers
// produce it and the cores consume it (docs/trace-format.md, "Workload traces"). Address
// operands are either raw virtual addresses (logical tag in bits 59..56) or a named pointer
// plus a byte offset; names are resolved when the event executes, since a heap call or an
// IRG earlier in the trace sets them.
#pragma once

#include <cstdint>
#include <string>

namespace mtesim {

enum class TraceOp : std::uint8_t {
    thread_create, /* arg: preferred core (or kAnyCore); aux: tcf | exclude << 8 | kThreadMaskGiven
                      (the exclude field holds a mask; without it the exec default, all
                      excluded) | kTaggedAddrAbi; src.raw: process id */
    compute,       /* arg: cycles */
    load,          /* src: address; arg: size in bytes; aux: instructions (compute) before it */
    store,         /* src: address; arg: size in bytes; aux: instructions (compute) before it */
    irg,           /* dest := src with a random tag; arg: extra exclude mask; aux 1: also
                      exclude src's own tag (the GMI + IRG idiom of a retag) */
    addg,          /* dest := src + arg (bytes), tag + aux (mod 16, skipping excluded) */
    subg,          /* dest := src - arg (bytes), tag - aux */
    ldg,           /* dest := src with logical tag = allocation tag */
    stg, st2g,     /* set 1 or 2 granules' allocation tags to src's logical tag */
    stzg, stz2g,   /* same, and zero the data */
    dc_gzva,       /* zero a DC ZVA block and set its tags */
    mmap,          /* src raw base, arg length; aux bit 0 PROT_MTE, bit 1 file backed, bit 2
                      MAP_SHARED|MAP_ANONYMOUS, bit 3 a memfd, bit 4 (kMmapReadOnly) no
                      PROT_WRITE; bits 8..31 the file or memfd offset in pages; dest: file or
                      memfd id */
    prctl,         /* aux: tcf | exclude << 8 | kTaggedAddrAbi; arg: which of them it sets (bits 0, 1, 2) */
    syscall,       /* a kernel entry */
    yield,         /* a context switch */
    exit,          /* the thread ends */
    kalloc,        /* dest := 2^arg pages from the page allocator; aux: AllocKind | kKalloc* flags */
    kfree,         /* frees the block src names */
    pin,           /* pins (aux 1) or unpins (aux 0) the block src names */
    munmap,        /* src raw base, arg length */
    mprotect,      /* src raw base, arg length; aux bit 0 (kProtectMte) PROT_MTE, bit 1
                      (kProtectReadOnly) no PROT_WRITE; 0: PROT_READ|PROT_WRITE */
    read_file,     /* dest: file id; src.raw: offset in bytes; arg: length */
    pageout,       /* madvise(MADV_PAGEOUT): src raw base, arg length */
    pin_range,     /* pin_user_pages (aux 1) / unpin (aux 0) of src raw base, arg length */
    malloc,        /* dest := a new heap chunk of arg bytes */
    calloc,        /* dest := a new zeroed chunk of aux elements of arg bytes */
    realloc,       /* dest := src's chunk resized to arg bytes (src freed) */
    free,          /* frees the chunk src points to */
    sleep,         /* a context switch off the CPU for arg nanoseconds (nanosleep) */
    /* Assertions (docs/trace-format.md, "Assertions"): checks, no simulated cost. */
    expect_value,  /* the arg bytes at src equal value's little-endian bytes, repeated */
    expect_tag,    /* the allocation tag of src's granule is aux */
    expect_result, /* the thread's last system call returned (std::int64_t) value */
    expect_fault,  /* the thread's previous event raised fault kind aux (kExpectNoFault: none) */
    sigaction,     /* aux bit 0: a SIGSEGV/SIGBUS handler is installed (faults do not kill);
                      bit 1: SA_EXPOSE_TAGBITS */
    tco,           /* PSTATE.TCO := aux (MSR TCO, #imm): tag checks suppressed while 1 */
    dc_zva,        /* DC ZVA: zero the block holding src (a tag-checked store of the block) */
    dc_gva,        /* DC GVA: set the tags of the block holding src (no data) */
    atomic,        /* aux: AtomicKind; src address, arg size; value: operand (has_value) */
    ldgm,          /* LDGM / STGM (aux 1): undefined at EL0 (SIGILL) */
    fork,          /* fork(): src.raw the child's process id, dest the id of its one thread */
    dontneed,      /* madvise(MADV_DONTNEED): src raw base, arg length */
    read_user,     /* read(2) into a user buffer: dest file id, aux file offset (bytes), arg length, src the buffer */
    write_user,    /* write(2) from a user buffer: as read_user */
    sysctl,        /* a write to /proc/sys: aux the key (SysctlKey), arg the value */
    oom_score_adj, /* a write to /proc/self/oom_score_adj: arg the value (-1000..1000, two's complement) */
};
inline constexpr unsigned kLastTraceOp = static_cast<unsigned>(TraceOp::oom_score_adj);
/// The /proc/sys keys a trace may write (`sysctl KEY VALUE`).
enum class SysctlKey : std::uint8_t {
    compact_memory = 1,           /* vm.compact_memory: 1 compacts every zone whole */
    compaction_proactiveness = 2, /* vm.compaction_proactiveness: 0..100 */
};
inline constexpr unsigned kLastSysctlKey = 2;
/// mmap aux: the mapping has no PROT_WRITE (read-only; `ro` in a text trace).
inline constexpr std::uint32_t kMmapReadOnly = 1u << 4;
/// mprotect aux: PROT_MTE, and no PROT_WRITE (`mte`, `ro` in a text trace).
inline constexpr std::uint32_t kProtectMte = 1u << 0;
inline constexpr std::uint32_t kProtectReadOnly = 1u << 1;
/// thread_create aux: the trace gave the thread's include mask (exclude=).
inline constexpr std::uint32_t kThreadMaskGiven = 1u << 24;
/// expect_fault's "did not fault".
inline constexpr std::uint32_t kExpectNoFault = 0xff;
/// The atomic and exclusive accesses (Arm ARM C6: LDADD, CAS, SWP, LDXR, STXR).
enum class AtomicKind : std::uint8_t { ldadd = 0, cas = 1, swp = 2, ldxr = 3, stxr = 4 };
inline constexpr unsigned kLastAtomicKind = 4;
/// The bytes a store writes when the trace gives no value= (docs/trace-format.md).
inline constexpr std::uint64_t kDefaultStoreValue = ~0ull;
/// The largest heap request a trace may make, in bytes (1 GiB).
inline constexpr std::uint64_t kMaxHeapRequest = 1ull << 30;
/// Process ids a trace may use (they are the address-space ids of the TLB).
inline constexpr std::uint32_t kMaxProcess = (1u << 20) - 1;
/// thread_create and prctl aux: PR_TAGGED_ADDR_ENABLE (`tagged_addr=on`).
inline constexpr std::uint32_t kTaggedAddrAbi = 1u << 25;
/// memfd ids a trace may use (`mmap ... memfd=ID`): 1 .. kMaxMemfd.
inline constexpr std::uint32_t kMaxMemfd = (1u << 23) - 1;
/// Virtual addresses a process may map: below 2^48 (48-bit VA, TTBR0).
inline constexpr std::uint64_t kUserVaLimit = 1ull << 48;

/// What a kalloc asks for (GFP flags of a kernel-side allocation).
enum class AllocKind : std::uint8_t { unmovable = 0, reclaimable = 1, movable = 2, tagged = 3 };
/// kalloc's aux above its AllocKind (bits 0-7): GFP modifiers.
inline constexpr std::uint32_t kKallocAtomic = 0x100;       /* GFP_ATOMIC: no reclaim, the HIGHATOMIC reserve */
inline constexpr std::uint32_t kKallocNoretry = 0x200;      /* __GFP_NORETRY */
inline constexpr std::uint32_t kKallocRetryMayfail = 0x400; /* __GFP_RETRY_MAYFAIL */

/// Tag check fault modes (SCTLR_EL1.TCF0), set per thread by prctl.
enum class TcfMode : std::uint8_t { none = 0, sync = 1, async = 2, asymm = 3 };

struct Operand {
    static constexpr std::uint32_t kRaw = ~0u;
    std::uint32_t name = kRaw; /* named pointer id, or kRaw */
    std::int64_t offset = 0;   /* bytes added to the named pointer */
    std::uint64_t raw = 0;     /* the address when name == kRaw */
};

struct TraceEvent {
    static constexpr std::uint32_t kAnyCore = ~0u;

    TraceOp op = TraceOp::compute;
    bool has_value = false;            /* value is given (st value=, atomics, expect_*) */
    /* compute, ld/st: mispredicted branches among the record's instructions (compute N, or a
     * ld/st's gap=N): each costs the core a front-end refill (core.mispredict_penalty); 0: none. */
    std::uint16_t mispredicts = 0;
    std::uint32_t thread = 0;
    std::uint32_t dest = Operand::kRaw; /* named pointer written by irg/addg/subg/ldg */
    Operand src;
    std::uint64_t arg = 0;
    std::uint32_t aux = 0;
    /* ld/st: the address depends on the value of this thread's dep-th most recent load (1: the
     * previous load; a pointer chase); 0: no annotation, the address is independent. */
    std::uint32_t dep = 0;
    std::uint64_t position = 0;        /* line in a text trace, event index in a binary one */
    std::uint64_t index = 0;           /* event index in the trace, from 1 (set by Workload) */
    std::uint64_t value = 0;           /* data operand when has_value */
};
/// The furthest back a ld/st may name the load its address depends on.
inline constexpr std::uint32_t kMaxLoadDependency = 64;
/// The most mispredicted branches one compute or ld/st record may carry (mispredict=M).
inline constexpr std::uint32_t kMaxMispredicts = 0xffff;

const char *trace_op_name(TraceOp op);
const char *tcf_mode_name(TcfMode mode);
const char *atomic_kind_name(AtomicKind kind);

}  // namespace mtesim
