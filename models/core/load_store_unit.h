// LoadStoreUnit: a thread's loads, stores and MTE tag instructions on this core. It translates
// (TLB, else the table walk; a missing entry is a page fault taken through the system-call
// gate), brings each line touched in through the MemoryPath and, on Normal-Tagged memory of a
// thread whose TCF mode is not none, checks every 16-byte granule touched against the
// pointer's logical tag (TagCheckUnit decides sync/async; Arm ARM CheckTag). Tag stores write
// the functional TagStore and the cached copies.
#pragma once

#include "core/core_stats.h"
#include "core/kernel_state.h"
#include "core/local_clock.h"
#include "core/memory_path.h"
#include "core/system_call_gate.h"
#include "core/timing_model.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/mte/tag_store.h"
#include "mtesim/sched/thread_scheduler.h"

#include <cstdint>

namespace mtesim {

class LoadStoreUnit {
public:
    LoadStoreUnit(const CoreConfig &config, LocalClock &clock, CoreStats &stats, TimingModel &timing, MemoryPath &path,
                  SystemCallGate &gate, TagStore &tags, KernelState &kernel);

    /// ld/st of @size bytes at @va, whose address depends on the @dep-th most recent load (0:
    /// none); returns false if the thread was killed.
    bool access(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position, std::uint32_t dep = 0) {
        if (!m_timing.out_of_order()) return access_inner(t, va, size, write, position);
        m_timing.begin_access(dep);
        const bool ok = access_inner(t, va, size, write, position);
        m_timing.end_access(write, m_path.take_latency());
        return ok;
    }
    /// MTE tag store instructions: set @granules tags from @va's logical tag; zero data if @zero.
    bool store_tags(ThreadContext &t, VirtAddr va, std::uint64_t granules, bool zero, std::uint64_t position);
    /// LDG: the allocation tag of @va's granule into @out.
    bool load_tag(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position);

private:
    /// The access itself; its latency goes to the clock (in order) or to the MemoryPath's
    /// account of the access (out of order).
    bool access_inner(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position);
    bool load_tag_inner(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position);
    /// The general case of access(): several lines or pages, TLB or L1D misses.
    bool access_slow(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position);

    struct Translated {
        enum Status { ok, maperr, killed } status = maperr;
        PhysAddr pa;
        bool tagged = false;
    };
    /// The TLB, else the hardware walk of @t's page tables; a missing entry is a page fault
    /// the kernel model handles (then the walk is retried). maperr: SIGSEGV; killed: the
    /// thread's process was killed (OOM) or died.
    Translated translate(ThreadContext &t, VirtAddr va, bool write, std::uint64_t position);

    const CoreConfig &m_config;
    LocalClock &m_clock;
    CoreStats &m_stats;
    TimingModel &m_timing;
    MemoryPath &m_path;
    SystemCallGate &m_gate;
    TagStore &m_tags;
    KernelState &m_kernel;
    Cache &m_l1; /* the path's, for the hit path */
    Tlb &m_tlb;
    unsigned m_line_shift;
    std::uint64_t m_line_bytes;
};

}  // namespace mtesim
