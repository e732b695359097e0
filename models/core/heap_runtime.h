// HeapRuntime: the userspace allocator's work on this core. The process's HeapModel (in its
// HeapRegistry slot, under the heap's lock) places each chunk; this room maps new regions
// through the system-call gate, charges the allocator's instructions, and tags chunks with
// IRG and STG per granule through the LoadStoreUnit (Scudo-like: a retag on free, so a stale
// pointer no longer matches).
#pragma once

#include "core/core_stats.h"
#include "core/heap_registry.h"
#include "core/load_store_unit.h"
#include "core/local_clock.h"
#include "core/system_call_gate.h"
#include "core/timing_model.h"
#include "mtesim/mte/tag_store.h"
#include "mtesim/sched/thread_scheduler.h"
#include "mtesim/trace/trace_event.h"
#include "mtesim/trace/workload.h"

namespace mtesim {

/// The include mask a tagging allocator sets (PR_MTE_TAG_MASK 0xfffe: tag 0 excluded; Android
/// bionic, Scudo's tests), as GCR_EL1.Exclude.
inline constexpr std::uint16_t kAllocatorExclude = 0x0001;

class HeapRuntime {
public:
    HeapRuntime(LocalClock &clock, CoreStats &stats, TimingModel &timing, Workload &workload, HeapRegistry &heaps,
                LoadStoreUnit &lsu, SystemCallGate &gate, const TagStore &tags);

    /// malloc, calloc, realloc and free, with the process's heap lock held.
    void heap_event(ThreadContext &t, const TraceEvent &ev);

private:
    /// The call itself, with the process's heap lock held.
    void heap_call(ThreadContext &t, HeapModel &h, const TraceEvent &ev);
    /// A new chunk of @size bytes (zeroed if @zero); returns its tagged pointer, 0 if the thread died.
    VirtAddr allocate(ThreadContext &t, HeapModel &h, std::uint64_t size, bool zero, std::uint64_t position);
    /// Frees the chunk @p points to; false when the heap reported a bad free.
    bool free_chunk(ThreadContext &t, HeapModel &h, VirtAddr p, std::uint64_t position);

    LocalClock &m_clock;
    CoreStats &m_stats;
    TimingModel &m_timing;
    Workload &m_workload;
    HeapRegistry &m_heaps;
    LoadStoreUnit &m_lsu;
    SystemCallGate &m_gate;
    const TagStore &m_tags;
};

}  // namespace mtesim
