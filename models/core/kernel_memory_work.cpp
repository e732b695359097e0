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

std::uint64_t KernelMemoryWork::tlb_flush(std::uint64_t cycles, std::uint64_t dn_wait) {
    m_stats.tlb_flush_cycles += cycles + dn_wait;
    m_stats.dvm_wait_cycles += dn_wait;
    return named_cost(cycles + dn_wait);
}

std::uint64_t KernelMemoryWork::dispatch(std::uint64_t instructions, std::uint64_t cycles) {
    const std::uint64_t before = m_clock.now_cycles();
    m_timing.dispatch(instructions, cycles);
    return since(before);
}

std::uint64_t KernelMemoryWork::drain() {
    const std::uint64_t before = m_clock.now_cycles();
    m_timing.drain();
    return since(before);
}

/*
 * copy_page (arch/arm64/lib/copy_page.S, since Linux 4.6: "arm64: lib: improve copy_page to
 * deal with 128 bytes at a time", commit 223e23e8aa26): 128 bytes per iteration, software
 * pipelined. A prologue loads the first 128 bytes with 8 LDPs; each iteration then stores the
 * previous 128 bytes with 8 STNPs, each followed by the LDP of the same offset of the next
 * 128 bytes, plus 4 other instructions (count, two pointer increments, branch); an epilogue
 * stores the last 128 bytes. Each LDP is a load of the window (the first of a line misses, the
 * other three merge into its miss); each STNP a store whose data is the LDP's, so it holds a
 * store-buffer entry until that load's data is back. STNP's full-line stores stream (no read
 * of the destination). The copy ends when its stores have drained: migration's PTE update
 * follows behind a DSB.
 */
std::uint64_t KernelMemoryWork::copy_pages(Pfn src, Pfn dst, std::uint64_t pages) {
    const std::uint64_t before = m_clock.now_cycles();
    constexpr std::uint64_t kChunk = 128, kPair = 16; /* bytes per iteration and per LDP/STNP */
    const std::uint64_t s = phys_of(src).value(), d = phys_of(dst).value();
    const std::uint64_t bytes = pages * kPageSize;
    std::uint64_t load_of[kChunk / kPair]; /* the load number of each LDP of the previous chunk */
    for (std::uint64_t o = 0; o < kChunk; o += kPair) {
        load_of[o / kPair] = m_loads;
        ldp((s + o) >> m_line_shift);
    }
    for (std::uint64_t c = kChunk; c < bytes; c += kChunk) {
        for (std::uint64_t o = 0; o < kChunk; o += kPair) {
            stnp((d + c - kChunk + o) >> m_line_shift, load_of[o / kPair]);
            load_of[o / kPair] = m_loads;
            ldp((s + c + o) >> m_line_shift);
        }
        other_instructions(4);
    }
    for (std::uint64_t o = 0; o < kChunk; o += kPair) stnp((d + bytes - kChunk + o) >> m_line_shift, load_of[o / kPair]);
    m_timing.drain();
    const std::uint64_t c = since(before);
    m_stats.pages_copied += pages;
    m_stats.page_copy_cycles += c;
    return c;
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

std::uint64_t KernelMemoryWork::touch_line(PhysAddr pa, bool write) {
    const std::uint64_t before = m_clock.now_cycles();
    line(pa.value() >> m_line_shift, write, false);
    ++m_stats.struct_page_accesses;
    return since(before);
}

/*
 * clear_page (arch/arm64/lib/clear_page.S): read DCZID_EL0 for the block size, then one DC ZVA
 * per block with its pointer increment, test and branch (3 other instructions); with MTE,
 * mte_zero_clear_page_tags runs the same loop with DC GZVA. A DC ZVA allocates the line
 * without reading memory. The zeroing ends when its stores have drained.
 */
std::uint64_t KernelMemoryWork::zero_pages(Pfn pfn, std::uint64_t pages) {
    const std::uint64_t before = m_clock.now_cycles();
    const std::uint64_t block = m_path.config().dczva_bytes;
    const std::uint64_t first = phys_of(pfn).value();
    other_instructions(5); /* mrs dczid_el0, tbnz, and, mov, lsl */
    for (std::uint64_t a = first; a < first + pages * kPageSize; a += block) {
        m_timing.begin_access(0, true);
        m_path.zero_line(a >> m_line_shift);
        m_timing.end_access(true, m_path.take_latency());
        other_instructions(3);
    }
    m_timing.drain();
    for (std::uint64_t p = 0; p < pages; ++p) m_memory.zero_page(pfn + p);
    const std::uint64_t c = since(before);
    m_stats.pages_zeroed += pages;
    m_stats.page_zero_cycles += c;
    return c;
}

}  // namespace mtesim
