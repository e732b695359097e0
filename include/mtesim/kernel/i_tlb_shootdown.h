// ITlbShootdown: the functional half of a TLB invalidation broadcast (TLBI VAE1IS / ASIDE1IS):
// every core's TLB drops the entries named. Its cost is IKernelMemory::flush_tlb_page().
#pragma once

#include <cstdint>

namespace mtesim {

class ITlbShootdown {
public:
    virtual ~ITlbShootdown() = default;
    /// Drops the translation of page @va (any tag bits ignored) in address space @asid.
    virtual void invalidate_page(std::uint32_t asid, std::uint64_t va) = 0;
    /// Drops every translation of address space @asid.
    virtual void invalidate_asid(std::uint32_t asid) = 0;
};

}  // namespace mtesim
