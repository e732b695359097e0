// SyntheticSource: a generated workload, deterministic for its seed, for the built-in default
// run and the throughput benchmarks. Each thread maps a PROT_MTE region, then repeatedly
// "allocates" a chunk the way an MTE heap does (IRG a tag excluding GCR's mask, STG/ST2G the
// chunk's granules), loads and stores inside it with some compute between accesses (folded into
// the accesses as gap=N), and "frees" it by retagging with a different tag. With use_after_free set, one thread touches a freed chunk through its stale
// pointer once, near its end: an MTE system must catch it. next() interleaves the threads'
// events round robin (for `mtesim trace gen`); next_of() makes one thread's events on demand,
// with the positions next() gives them, so a run reads each thread as its core needs it and
// buffers nothing, whatever the core count.
#pragma once

#include "mtesim/trace/i_event_source.h"

#include <cstdint>
#include <vector>

namespace mtesim {

struct SyntheticParams {
    std::uint32_t threads = 4;
    std::uint64_t accesses_per_thread = 100000; /* loads + stores */
    std::uint32_t chunk_bytes = 64;             /* multiple of 32 */
    std::uint32_t slots = 512;                  /* chunks per thread: working set = slots x chunk */
    std::uint32_t accesses_per_chunk = 16;
    std::uint32_t compute_cycles = 4;           /* instructions between accesses (the gap= of each access) */
    TcfMode tcf = TcfMode::sync;
    std::uint16_t exclude = 0x0001;             /* tag 0 excluded, as Android does */
    std::uint64_t seed = 1;
    std::uint64_t base = 0x80000000;            /* first thread's region (a virtual address; demand paged) */
    std::uint64_t region_stride = 16ull << 20;  /* bytes between threads' regions */
    bool use_after_free = false;                /* thread 0 dereferences a freed chunk once */
};

class SyntheticSource : public IEventSource {
public:
    explicit SyntheticSource(const SyntheticParams &params);

    bool next(TraceEvent &out) override;
    std::string name_of(std::uint32_t id) const override;
    std::uint32_t name_count() const override { return m_params.threads * (m_params.slots + 1); }
    std::string description() const override { return "generated workload (seed " + std::to_string(m_params.seed) + ")"; }

    double progress() const override;
    std::uint32_t thread_count() const override { return m_params.threads; }
    bool next_of(std::uint32_t tid, TraceEvent &out) override;
    std::size_t next_batch_of(std::uint32_t tid, TraceEvent *out, std::size_t max) override;
    /// Loads and stores the source will produce in all.
    std::uint64_t total_accesses() const;

private:
    enum class Phase { create, mmap, alloc_irg, alloc_stg, use, free_irg, free_stg, uaf, exit, done };
    struct ThreadGen {
        Phase phase = Phase::create;
        std::uint64_t accesses = 0;   /* issued so far */
        std::uint32_t slot = 0;       /* current chunk */
        std::uint32_t step = 0;       /* position within the phase */
        std::uint64_t rng = 0;
        bool uaf_done = false;
        std::uint64_t events = 0;     /* made by next_of() */
    };

    std::uint64_t rand(ThreadGen &g);
    /// Inlined into next(): it runs once per generated event.
    [[gnu::always_inline]] inline bool step(std::uint32_t tid, ThreadGen &g, TraceEvent &out);
    std::uint32_t chunk_name(std::uint32_t tid, std::uint32_t slot) const { return tid * (m_params.slots + 1) + slot; }
    std::uint32_t stale_name(std::uint32_t tid) const { return tid * (m_params.slots + 1) + m_params.slots; }
    std::uint64_t chunk_addr(std::uint32_t tid, std::uint32_t slot) const {
        return m_params.base + tid * m_params.region_stride + std::uint64_t(slot) * m_params.chunk_bytes;
    }

    SyntheticParams m_params;
    std::vector<ThreadGen> m_threads;
    std::uint32_t m_next = 0;
    std::uint64_t m_position = 0;
};

}  // namespace mtesim
