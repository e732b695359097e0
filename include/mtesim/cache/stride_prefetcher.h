// StridePrefetcher: the L1D stride prefetcher, a reference prediction table (Chen and Baer,
// "Effective hardware-based data prefetching for high-performance processors", IEEE TC 1995)
// keyed by region instead of by PC: traces carry no PC, and the L1D prefetchers of Arm cores
// watch the miss address stream ("recognizes a sequence of data cache misses at a fixed stride
// pattern that lies in four cache lines, plus or minus", Cortex-A35/A53 TRMs, "About data
// prefetching"). Each entry follows one 4 KiB region (a physical page: the prefetcher neither
// sees nor crosses page boundaries, as Cortex-A72's when its VA prefetch is off): the last line
// missed, the stride between the last two, and how many times in a row that stride repeated.
// A unit stride is a sequential stream. Plain C++: it names lines, the MemoryPath fetches them.
#pragma once

#include <cstdint>
#include <vector>

namespace mtesim {

class StridePrefetcher {
public:
    struct Config {
        std::uint32_t entries = 16;     /* regions tracked (LRU replacement) */
        std::uint32_t max_stride = 4;   /* largest |stride| detected, in lines */
        std::uint32_t confirm = 1;      /* repeats of a stride before prefetching (1: three misses at one stride) */
        std::uint32_t degree = 4;       /* strides prefetched ahead of the access */
        unsigned region_shift = 6;      /* lines per region, log2 (4 KiB of 64-byte lines) */
    };
    static constexpr unsigned kMaxDegree = 64;

    explicit StridePrefetcher(const Config &c);

    /// Trains on line @line (a demand miss, or the first demand use of a prefetched line) and
    /// writes the lines to prefetch to @out (up to degree, all in @line's region). Returns how many.
    unsigned train(std::uint64_t line, std::uint64_t *out);

private:
    struct Entry {
        std::uint64_t region = ~0ull;
        std::uint64_t last = 0;   /* last line trained on */
        std::int64_t stride = 0;  /* in lines; 0: none yet */
        std::uint32_t repeats = 0;
        std::uint64_t lru = 0;
    };
    Config m_c;
    std::vector<Entry> m_table;
    std::uint64_t m_clock = 0;
    std::size_t m_last = ~std::size_t(0); /* the entry train() used last (none yet) */
};

}  // namespace mtesim
