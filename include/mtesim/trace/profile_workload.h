// ProfileWorkload: the study profiles of `mtesim trace gen` (issue "Workloads"), generated as a
// stream (events are made as they are read, never held whole), deterministic for a seed:
//   browser     many threads in several renderer-like processes with heavy tagged heap churn
//               (malloc/calloc/realloc/free of mostly small chunks, accesses inside live chunks
//               found by a tree lookup: a chain of dependent loads, dep=1 each), the RFC's
//               browser measurement;
//   server      large anonymous memory per thread, hot/cold accesses, little tagging (a few
//               heap calls);
//   page-cache  sequential file reads far larger than memory, a kernel thread growing and
//               shrinking unmovable and reclaimable slab-like allocations, and an app thread with
//               a tagged heap: the pressure that starves unmovable allocations when the pool is
//               large, and tag reservations against a pool full of page cache;
//   swap-storm  PROT_MTE memory larger than RAM, every page tagged with a tag known in advance
//               and read back pass after pass: constant swapping with tag save and restore (a
//               lost tag would be a tag-check fault).
#pragma once

#include "mtesim/trace/i_event_source.h"

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace mtesim {

struct ProfileParams {
    std::string profile;                 /* browser, server, page-cache, swap-storm */
    std::uint64_t seed = 1;
    double scale = 1.0;                  /* multiplies the operations per thread (passes for swap-storm) */
    std::uint64_t memory_bytes = 0;      /* the board's memory (sizes the memory-bound profiles) */
    std::uint64_t footprint_bytes = 0;   /* 0: the profile's default share of memory_bytes */
    TcfMode tcf = TcfMode::sync;
};

class ProfileWorkload : public IEventSource {
public:
    static const std::vector<std::string> &profiles();

    /// Throws ConfigError for an unknown profile or sizes out of range.
    explicit ProfileWorkload(const ProfileParams &params);

    bool next(TraceEvent &out) override;
    std::string name_of(std::uint32_t id) const override { return m_names.at(id); }
    std::uint32_t name_count() const override { return static_cast<std::uint32_t>(m_names.size()); }
    std::string description() const override;
    double progress() const override;

    /// Bytes of memory the profile touches (its footprint).
    std::uint64_t footprint() const { return m_footprint; }

private:
    enum class Role { browser, server, reader, slab, app, storm };
    struct Thread {
        std::uint32_t tid = 0, pid = 0;
        Role role = Role::browser;
        std::uint64_t ops = 0, ops_total = 0;  /* operations done, and to do */
        std::uint64_t rng = 0;
        std::deque<TraceEvent> pending;
        bool created = false, done = false;
        std::vector<std::uint32_t> live;       /* heap handles (or kalloc names) in use */
        std::vector<std::uint64_t> sizes;      /* their sizes */
        std::vector<std::uint32_t> spare;      /* handle names free for reuse */
        std::uint64_t base = 0, bytes = 0;     /* its memory region */
        std::uint64_t cursor = 0;              /* reader: file offset; storm: page within the pass */
        std::uint32_t file = 0;
        std::uint32_t names_made = 0;          /* handle names made, for unique names */
        std::uint8_t direction_counter = 1;    /* tree_lookup's direction branch: a 2-bit saturating counter (>= 2: predict right) */
    };

    void add_thread(std::uint32_t pid, Role role, std::uint64_t ops, std::uint64_t base, std::uint64_t bytes);
    /// Appends the events of the thread's next operation (or its exit) to its pending queue.
    void refill(Thread &t);
    void heap_op(Thread &t, unsigned malloc_pct, unsigned free_pct);
    /// The dependent loads that walk a tree of the live chunks from its root to live[i].
    void tree_lookup(Thread &t, std::size_t i);
    std::uint64_t chunk_size(Thread &t);
    std::uint32_t handle(Thread &t, const char *kind);
    TraceEvent &push(Thread &t, TraceOp op);
    std::uint64_t rand(Thread &t, std::uint64_t n);

    ProfileParams m_params;
    std::uint64_t m_footprint = 0;
    std::vector<Thread> m_threads;
    std::vector<std::string> m_names;
    std::size_t m_cur = 0;
    unsigned m_burst = 0;
    std::uint64_t m_ops_total = 0, m_ops_done = 0;
};

}  // namespace mtesim
