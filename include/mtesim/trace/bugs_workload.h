// BugsWorkload: the `bugs` generator profile. Each thread is a process of its own with a heap
// (the heap model: Scudo-like, PROT_MTE), mallocs a few chunks, makes some valid accesses, and
// then commits one memory-safety bug on an inner chunk: a use after free (through a copy of the
// pointer kept from before the free, whose retag excludes the old tag), a linear overflow (the
// first granule past the chunk: the next slot's header, tag 0), an underflow (the granule
// before the chunk: its own header) or a double free (freeing the chunk, then the copy). Each
// is certain to be caught in sync mode, by a tag check or by the heap's chunk state, so the
// generator writes the faults a correct MTE system must report next to the trace. The heap's
// layout is deterministic, so the expected addresses are known in advance.
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
};

class BugsWorkload : public IEventSource {
public:
    enum class Bug { use_after_free, overflow, underflow, double_free };
    static constexpr unsigned kBugKinds = 4;

    /// A fault the trace must raise in sync mode: which thread, read or write, and the
    /// faulting address without its tag (the tag is drawn by IRG during the run).
    struct ExpectedFault {
        std::uint32_t thread = 0;
        Bug bug = Bug::use_after_free;
        bool write = false;
        std::uint64_t address = 0;   /* untagged; for a double free, the chunk freed twice */
        std::uint64_t event = 0; /* index of the faulting event in the trace, from 1 */
    };

    explicit BugsWorkload(const BugsParams &params);

    bool next(TraceEvent &out) override;
    std::string name_of(std::uint32_t id) const override { return m_names.at(id); }
    std::uint32_t name_count() const override { return static_cast<std::uint32_t>(m_names.size()); }
    std::string description() const override { return "generated bugs (seed " + std::to_string(m_params.seed) + ")"; }
    double progress() const override { return m_events.empty() ? 1.0 : double(m_next) / double(m_events.size()); }

    const std::vector<ExpectedFault> &expected() const { return m_expected; }
    /// The expected faults as CSV: thread,bug,kind,access,address,event.
    void write_expected(std::ostream &out) const;
    static const char *bug_name(Bug bug);

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
