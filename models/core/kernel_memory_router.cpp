// KernelMemoryRouter: forwards to the current core (see the header).
#include "core/kernel_memory_router.h"

#include "core/core.h"
#include "mtesim/common/sim_assert.h"

namespace mtesim {

std::uint64_t KernelMemoryRouter::copy_pages(Pfn src, Pfn dst, std::uint64_t pages) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_copy_pages(src, dst, pages);
}

std::uint64_t KernelMemoryRouter::zero_pages(Pfn pfn, std::uint64_t pages) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_zero_pages(pfn, pages);
}

std::uint64_t KernelMemoryRouter::send_ipis(unsigned targets) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_named_cost(targets ? m_current->config().ipi_cycles : 0);
}

std::uint64_t KernelMemoryRouter::flush_tlb_page() {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_named_cost(m_current->config().tlbi_cycles);
}

std::uint64_t KernelMemoryRouter::invalidate_tag_block(Pfn, std::uint64_t pages) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    const std::uint64_t lines = pages * kPageSize / m_current->config().l1d.line_bytes;
    return m_current->kernel_named_cost(lines * m_current->config().cmo_line_cycles);
}

}  // namespace mtesim
