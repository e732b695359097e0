// TlbBroadcast: the kernel model's TLB shootdowns reach every core's TLBs (a broadcast TLBI
// over the inner-shareable domain): both TLB levels and the walk cache (TlbHierarchy). The cost
// is charged by the core that issues it.
#pragma once

#include "mtesim/cache/tlb_hierarchy.h"
#include "mtesim/kernel/i_tlb_shootdown.h"

#include <vector>

namespace mtesim {

class TlbBroadcast : public ITlbShootdown {
public:
    explicit TlbBroadcast(const std::vector<TlbHierarchy *> &tlbs) : m_tlbs(tlbs) {}
    void invalidate_page(std::uint32_t asid, std::uint64_t va) override {
        const std::uint64_t key = Tlb::key(asid, (va & ((1ull << 48) - 1)) >> 12);
        for (TlbHierarchy *t : m_tlbs) t->flush_key(key);
    }
    void invalidate_asid(std::uint32_t asid) override {
        for (TlbHierarchy *t : m_tlbs) t->flush_asid(asid);
    }

private:
    const std::vector<TlbHierarchy *> &m_tlbs;
};

}  // namespace mtesim
