// BootSequence: see the header.
#include "mtesim/boot/boot_sequence.h"

#include <algorithm>

namespace mtesim {

BootSequence::BootSequence(const PlatformDesc &desc, const BootConfig &boot, const MmConfig &mm, const CoreConfig &core,
                           IKernelMemory &kmem)
    : m_desc(desc), m_boot(boot), m_mm(mm), m_core(core), m_kmem(kmem) {}

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

    auto allocator = std::make_unique<PageAllocator>(m_desc, m_mm, m_kmem, memblock.reserved());
    m_result.total_cycles = cycles_now() - start;
    return allocator;
}

}  // namespace mtesim
