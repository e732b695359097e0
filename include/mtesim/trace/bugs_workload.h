// BugsWorkload: the `bugs` generator profile. Threads that each run a small MTE heap in a
// PROT_MTE region, tagged the way Scudo tags it (a random IRG tag per chunk; even chunks get
// even tags and odd chunks odd tags, so neighbours always differ), make some valid accesses,
// and then commit one memory-safety bug: a use after free (through the pointer kept from before
// the free's retag), a linear overflow (the first granule past the chunk, in its neighbour) or
// an underflow (the granule before the chunk). Each bug is certain to be caught by a sync-mode
// tag check, so the generator writes the faults a correct MTE system must report next to the
// trace. Double free is not generated: on an MTE heap it is caught by the allocator's chunk
// state, which needs the heap model (malloc/free handles) that the trace format does not have
// yet.
#pragma once

#include "mtesim/trace/i_event_source.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

struct BugsParams {
    std::uint64_t seed = 1;
    std::uint32_t rounds = 1;            /* each round: one thread per kind of bug */
    TcfMode tcf = TcfMode::sync;
    std::uint64_t base = 0x80000000;     /* first thread's region (identity mapped, in tagged DRAM) */
    std::uint64_t region_bytes = 0x10000; /* bytes per thread */
};

class BugsWorkload : public IEventSource {
public:
    enum class Bug { use_after_free, overflow, underflow };

    /// A fault the trace must raise in sync mode: which thread, read or write, and the
    /// faulting address without its tag (the tag is drawn by IRG during the run).
    struct ExpectedFault {
        std::uint32_t thread = 0;
        Bug bug = Bug::use_after_free;
        bool write = false;
        std::uint64_t address = 0;
        std::uint64_t event = 0; /* index of the faulting event in the trace, from 1 */
    };

    explicit BugsWorkload(const BugsParams &params);

    bool next(TraceEvent &out) override;
    std::string name_of(std::uint32_t id) const override { return m_names.at(id); }
    std::uint32_t name_count() const override { return static_cast<std::uint32_t>(m_names.size()); }
    std::string description() const override { return "generated bugs (seed " + std::to_string(m_params.seed) + ")"; }
    double progress() const override { return m_events.empty() ? 1.0 : double(m_next) / double(m_events.size()); }

    const std::vector<ExpectedFault> &expected() const { return m_expected; }
    /// The expected faults as CSV: thread,bug,access,address,event.
    void write_expected(std::ostream &out) const;
    static const char *bug_name(Bug bug);
    /// Bytes of memory the workload needs from params.base.
    static std::uint64_t footprint(const BugsParams &params) { return std::uint64_t(params.rounds) * 3 * params.region_bytes; }

private:
    void build_thread(std::uint32_t tid, Bug bug);
    std::uint32_t name(const std::string &text);
    std::uint64_t rand();
    TraceEvent &push(std::uint32_t tid, TraceOp op);

    BugsParams m_params;
    std::uint64_t m_rng;
    std::vector<TraceEvent> m_events;
    std::vector<std::string> m_names;
    std::vector<ExpectedFault> m_expected;
    std::size_t m_next = 0;
};

}  // namespace mtesim
