// KernelMemoryWork: see the header.
#include "core/kernel_memory_work.h"

namespace mtesim {

KernelMemoryWork::KernelMemoryWork(LocalClock &clock, CoreStats &stats, TimingModel &timing, MemoryPath &path, TagStore &tags,
                                   SparseMemory &memory)
    : m_clock(clock), m_stats(stats), m_timing(timing), m_path(path), m_tags(tags), m_memory(memory), m_line_shift(path.line_shift()),
      m_line_bytes(path.line_bytes()) {}

std::uint64_t KernelMemoryWork::since(std::uint64_t before) {
    const std::uint64_t c = m_clock.now_cycles() - before;
    m_stats.kernel_cycles += c;
    return c;
}

std::uint64_t KernelMemoryWork::named_cost(std::uint64_t cycles) {
    m_clock.charge(cycles);
    m_stats.kernel_cycles += cycles;
    return cycles;
}

std::uint64_t KernelMemoryWork::dispatch(std::uint64_t instructions, std::uint64_t cycles) {
    const std::uint64_t before = m_clock.now_cycles();
    m_clock.charge(cycles);
    m_timing.instructions(instructions);
    return since(before);
}

std::uint64_t KernelMemoryWork::drain() {
    const std::uint64_t before = m_clock.now_cycles();
    m_timing.drain();
    return since(before);
}

std::uint64_t KernelMemoryWork::copy_pages(Pfn src, Pfn dst, std::uint64_t pages) {
    const std::uint64_t before = m_clock.now_cycles();
    const std::uint64_t lines = pages * kPageSize / m_line_bytes;
    const std::uint64_t s = phys_of(src).value() >> m_line_shift, d = phys_of(dst).value() >> m_line_shift;
    for (std::uint64_t i = 0; i < lines; ++i) {
        line(s + i, false, false);
        line(d + i, true, false);
    }
    return since(before);
}

std::uint64_t KernelMemoryWork::access_tags(Pfn pfn, std::uint64_t pages, bool write) {
    const std::uint64_t before = m_clock.now_cycles();
    const std::uint64_t lines = pages * kPageSize / m_line_bytes;
    const std::uint64_t first = phys_of(pfn).value() >> m_line_shift;
    const std::uint64_t granules = m_line_bytes / kGranuleSize;
    for (std::uint64_t i = 0; i < lines; ++i) {
        const std::uint64_t ln = first + i;
        CacheLine *l = line(ln, false, !write);
        if (!write || !l) continue;
        Tag t[64] = {};
        if (!m_tags.get_range(PhysAddr(ln << m_line_shift), granules, t)) continue;
        std::uint64_t packed = 0;
        for (std::uint64_t g = 0; g < granules; ++g) packed |= std::uint64_t(t[g] & 0xf) << (4 * g);
        l->tags_valid = true;
        m_path.store_line_tags(ln, *l, ~0ull, packed);
    }
    return since(before);
}

std::uint64_t KernelMemoryWork::write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n) {
    const std::uint64_t before = m_clock.now_cycles();
    const std::uint64_t first = pa.value() >> m_line_shift, last = (pa.value() + 8 * n - 1) >> m_line_shift;
    for (std::uint64_t ln = first; ln <= last; ++ln) line(ln, true, false);
    m_memory.write_words(pa, words, n);
    return since(before);
}

std::uint64_t KernelMemoryWork::read_word(PhysAddr pa, std::uint64_t &value) {
    const std::uint64_t before = m_clock.now_cycles();
    line(pa.value() >> m_line_shift, false, false);
    value = m_memory.read_word(pa);
    return since(before);
}

std::uint64_t KernelMemoryWork::zero_pages(Pfn pfn, std::uint64_t pages) {
    const std::uint64_t before = m_clock.now_cycles();
    const std::uint64_t lines = pages * kPageSize / m_line_bytes;
    const std::uint64_t first = phys_of(pfn).value() >> m_line_shift;
    for (std::uint64_t i = 0; i < lines; ++i) {
        m_timing.begin_access(0);
        m_path.zero_line(first + i);
        m_timing.end_access(true, m_path.take_latency());
    }
    for (std::uint64_t p = 0; p < pages; ++p) m_memory.zero_page(pfn + p);
    return since(before);
}

}  // namespace mtesim
