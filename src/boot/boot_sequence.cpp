// BootSequence: see the header.
#include "mtesim/boot/boot_sequence.h"

#include "mtesim/common/config_error.h"

#include <algorithm>

namespace mtesim {

BootSequence::BootSequence(const PlatformDesc &desc, const BootConfig &boot, const MmConfig &mm, const CoreConfig &core,
                           IKernelMemory &kmem)
    : m_desc(desc), m_boot(boot), m_mm(mm), m_core(core), m_kmem(kmem) {}

/*
 * sparse_init (bootmem_init, after paging_init has built the linear map): the memmap of every
 * present section, RAM and the reusable tag storage the allocator will manage (its pages have
 * struct pages: they join MIGRATE_CMA), taken from memblock as one buffer aligned to 2 MiB,
 * top-down (sparse_buffer_init), handed out section by section in section order. Should no
 * range hold the whole buffer, each section takes its own 2 MiB block (vmemmap_populate's
 * fallback to vmemmap_alloc_block for a section the buffer did not cover). Not charged: the
 * vmemmap's PUD and PMD tables (a page or two: one PMD table maps the memmap of 64 GiB) and
 * memmap_init's initialisation of every struct page (as memblock_free_all's, docs/timing-model.md,
 * "Boot").
 */
Vmemmap BootSequence::place_memmap(Memblock &memblock) {
    if (!m_mm.memmap) return {};
    std::vector<AddrRange> present;
    for (const auto &m : m_desc.memories) present.push_back(m.range);
    for (const auto &t : m_desc.tag_storage)
        if (t.reusable) present.push_back(t.range);
    Vmemmap vmemmap(present);
    if (auto base = memblock.alloc_block(vmemmap.bytes(), Vmemmap::kSectionMapBytes)) {
        vmemmap.place_all(*base);
    } else {
        for (std::size_t i = 0; i < vmemmap.sections(); ++i) {
            const auto b = memblock.alloc_block(Vmemmap::kSectionMapBytes, Vmemmap::kSectionMapBytes);
            if (!b)
                throw ConfigError("memory: " + std::to_string(vmemmap.sections()) + " sections of 128 MiB need " +
                                  std::to_string(vmemmap.bytes() >> 20) +
                                  " MiB of memmap (mm.memmap), more than the memory left after the linear map; expected "
                                  "more RAM, or mm.memmap=false");
            vmemmap.place(i, *b);
        }
    }
    m_result.memmap_pages = vmemmap.bytes() / kPageSize;
    return vmemmap;
}

std::unique_ptr<PageAllocator> BootSequence::run(const std::function<std::uint64_t()> &cycles_now,
                                                 IInstructionStream &stream) {
    const std::uint64_t start = cycles_now();
    std::vector<AddrRange> memory;
    for (const auto &m : m_desc.memories) memory.push_back(m.range);
    Memblock memblock(memory);
    std::uint64_t phys_offset = ~0ull;
    for (const auto &m : memory) phys_offset = std::min(phys_offset, m.base().value());
    const bool mte = !m_desc.cpus.empty() && m_desc.cpus.front().mte_version >= 2;

    const std::uint64_t lm_start = cycles_now();
    // kernel.tlbi_timing = fixed: kernel.tlbi_cycles on every board, as at run time.
    const TopologyDesc none;
    const TopologyDesc &topology = m_core.tlbi_timing == CoreConfig::TlbiTiming::fixed ? none : m_desc.topology;
    const DvmBroadcastModel dvm(topology, m_desc.cpus.front().clock_hz, m_boot.dvm_ack_cycles, m_core.tlbi_cycles);
    // Under stage 2 a TLB refill is a nested walk: (4 + 1) x (4 + 1) - 1 descriptor reads.
    const BootTiming timing{stream, dvm, m_core.dczva_bytes, m_desc.topology.virtualised ? 24u : 4u};
    LinearMapBuilder builder(memblock, m_kmem, timing, m_boot, PhysAddr(phys_offset), mte);
    for (const auto &r : memory) builder.map(r, false);
    const Vmemmap vmemmap = place_memmap(memblock);
    if (mte)
        for (const auto &t : m_desc.tag_storage)
            if (t.reusable) {
                memblock.add_memory(t.range);
                builder.map(t.range, true);
            }
    m_result.linear_map_cycles = cycles_now() - lm_start;
    m_result.linear_map = builder.stats();
    m_result.stream = stream.stats();
    m_result.root = builder.root();
    m_result.phys_offset = phys_offset;
    m_result.tlbi_sync_cycles = dvm.tlbi_sync_cycles();
    m_result.dvm_round = dvm.round();
    m_result.dvm_modelled = dvm.modelled();
    m_result.reserved_pages = memblock.reserved_pages();

    auto allocator = std::make_unique<PageAllocator>(m_desc, m_mm, m_kmem, memblock.reserved(), vmemmap);
    m_result.total_cycles = cycles_now() - start;
    return allocator;
}

}  // namespace mtesim
