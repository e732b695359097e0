// IKernelMemory: the kernel work the allocator does that costs simulated time, done "on the
// core that runs it" (shared/DESIGN.md): copying and zeroing pages are memory traffic through
// that core's caches and the DRAM model; IPIs, TLB invalidation and cache maintenance by set/
// way are named cost parameters. Each call returns the core cycles it took. The SystemC
// implementation lives with the cores; tests use a recording fake.
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>

namespace mtesim {

class IKernelMemory {
public:
    virtual ~IKernelMemory() = default;
    /// Copies @pages pages from @src to @dst (migration).
    virtual std::uint64_t copy_pages(Pfn src, Pfn dst, std::uint64_t pages) = 0;
    /// Zeroes @pages pages at @pfn.
    virtual std::uint64_t zero_pages(Pfn pfn, std::uint64_t pages) = 0;
    /// Sends an IPI to @targets other CPUs and waits for them (lru_cache_disable).
    virtual std::uint64_t send_ipis(unsigned targets) = 0;
    /// Broadcast TLB invalidation of one page's translation, with its barriers.
    virtual std::uint64_t flush_tlb_page() = 0;
    /// Cache maintenance that drops stale tags of a tag block returned to the pool.
    virtual std::uint64_t invalidate_tag_block(Pfn block, std::uint64_t pages) = 0;
    /// CPUs in the system.
    virtual unsigned cpus() const = 0;
};

}  // namespace mtesim
