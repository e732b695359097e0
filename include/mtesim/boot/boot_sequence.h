// BootSequence: the part of arm64 boot mtesim simulates, on the boot CPU (BACKGROUND.md
// section 4), in order:
//   1. memblock from the DT memory ranges; tag regions are not memory yet (reserved);
//   2. the kernel linear map for all RAM (LinearMapBuilder, boot.linear_map and
//      boot.pgtable_scheme);
//   3. tag storage activation: reusable regions (on an MTE system) join memory and are mapped
//      late, through the linear map that now exists;
//   4. memory is released to the buddy allocator (PageAllocator), minus what boot reserved.
// All work is kernel work through IKernelMemory, so it costs the boot CPU simulated time.
#pragma once

#include "mtesim/boot/linear_map_builder.h"
#include "mtesim/dt/platform_desc.h"
#include "mtesim/mm/page_allocator.h"

#include <memory>

namespace mtesim {

struct BootResult {
    BootStats linear_map;              /* the linear-map step (early and late tables) */
    std::uint64_t linear_map_cycles = 0; /* kernel work of steps 2 and 3, in boot-CPU cycles */
    std::uint64_t total_cycles = 0;      /* the whole boot, in boot-CPU cycles */
    std::uint64_t reserved_pages = 0;    /* memblock reservations handed to the allocator as reserved */
    PhysAddr root;                       /* swapper_pg_dir */
    std::uint64_t phys_offset = 0;
};

class BootSequence {
public:
    BootSequence(const PlatformDesc &desc, const BootConfig &boot, const MmConfig &mm, IKernelMemory &kmem);

    /// Runs the boot; @cycles_now reads the boot CPU's clock (for the step times).
    std::unique_ptr<PageAllocator> run(const std::function<std::uint64_t()> &cycles_now);
    const BootResult &result() const { return m_result; }

private:
    const PlatformDesc &m_desc;
    BootConfig m_boot;
    MmConfig m_mm;
    IKernelMemory &m_kmem;
    BootResult m_result;
};

}  // namespace mtesim
