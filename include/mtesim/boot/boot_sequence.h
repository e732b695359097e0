// BootSequence: the part of arm64 boot mtesim simulates, on the boot CPU (BACKGROUND.md
// section 4), in order:
//   1. memblock from the DT memory ranges; tag regions are not memory yet (reserved);
//   2. the kernel linear map for all RAM (LinearMapBuilder, boot.linear_map and
//      boot.pgtable_scheme);
//   3. the memmap (sparse_init, mm.memmap): 64 bytes of struct page per page of every present
//      128 MiB section, RAM and reusable tag storage, reserved from memblock (Vmemmap);
//   4. tag storage activation: reusable regions (on an MTE system) join memory and are mapped
//      late, through the linear map that now exists;
//   5. memory is released to the buddy allocator (PageAllocator), minus what boot reserved.
// All work is kernel work on the boot CPU: memory traffic through IKernelMemory, the code's
// instructions and barriers through the boot core's IInstructionStream, a TLBI's completion
// from the DvmBroadcastModel of the board's topology.
#pragma once

#include "mtesim/boot/linear_map_builder.h"
#include "mtesim/boot/memblock.h"
#include "mtesim/mm/vmemmap.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/dt/platform_desc.h"
#include "mtesim/mm/page_allocator.h"

#include <memory>

namespace mtesim {

struct BootResult {
    BootStats linear_map;              /* the linear-map step (early and late tables) */
    InstructionStreamStats stream;     /* what the boot core's instruction stream charged */
    std::uint64_t linear_map_cycles = 0; /* kernel work of steps 2 to 4, in boot-CPU cycles */
    std::uint64_t total_cycles = 0;      /* the whole boot, in boot-CPU cycles */
    std::uint64_t reserved_pages = 0;    /* memblock reservations handed to the allocator as reserved */
    std::uint64_t memmap_pages = 0;      /* of those, the memmap's (mm.memmap) */
    PhysAddr root;                       /* swapper_pg_dir */
    std::uint64_t phys_offset = 0;
    std::uint64_t tlbi_sync_cycles = 0;  /* one TLBI + DSB ISH, in boot-CPU cycles */
    DvmRound dvm_round;                  /* one DVM broadcast round (zero without a topology) */
    bool dvm_modelled = false;           /* the board has a topology; else kernel.tlbi_cycles */
};

class BootSequence {
public:
    BootSequence(const PlatformDesc &desc, const BootConfig &boot, const MmConfig &mm, const CoreConfig &core,
                 IKernelMemory &kmem);

    /// Runs the boot; @cycles_now reads the boot CPU's clock (for the step times); @stream is
    /// the boot CPU's instruction timing.
    std::unique_ptr<PageAllocator> run(const std::function<std::uint64_t()> &cycles_now, IInstructionStream &stream);
    const BootResult &result() const { return m_result; }

private:
    /// sparse_init: the memmap's memory from @memblock (none with mm.memmap false).
    Vmemmap place_memmap(Memblock &memblock);

    const PlatformDesc &m_desc;
    BootConfig m_boot;
    MmConfig m_mm;
    CoreConfig m_core;
    IKernelMemory &m_kmem;
    BootResult m_result;
};

}  // namespace mtesim
