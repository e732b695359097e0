// StreamPrefetcher: the L2 stream prefetcher. It follows up to `streams` ascending sequences of
// misses (a page copy interleaves a source and a destination stream): a miss on the line after
// a stream's last line continues that stream and names the next `degree` lines of the same
// 4 KiB page for prefetching (a physical prefetcher does not cross a page); any other miss
// starts a candidate stream. A demand use of a prefetched line keeps its stream `degree` lines
// ahead. After the L2 prefetchers of Cortex-A7x/Neoverse cores, which detect streams on the L2
// miss stream and allocate into the L2 (Cortex-A72 TRM "L2 cache prefetcher": prefetches stay in
// the 4 KiB page; the distance is programmable in CPUECTLR_EL1). Plain C++: it names lines, the
// MemoryPath fetches them.
#pragma once

#include <cstdint>
#include <vector>

namespace mtesim {

class StreamPrefetcher {
public:
    static constexpr unsigned kMaxDegree = 64;

    /// @region_shift: lines per page, log2.
    StreamPrefetcher(std::uint32_t streams, std::uint32_t degree, unsigned region_shift);

    /// A demand miss on @line: writes the lines to prefetch to @out (up to degree); returns how many.
    unsigned on_miss(std::uint64_t line, std::uint64_t *out);
    /// A demand use of the prefetched line @line: its stream advances; lines to prefetch as on_miss.
    unsigned on_use(std::uint64_t line, std::uint64_t *out);

private:
    unsigned ahead(std::uint64_t line, std::uint64_t *out) const;

    std::vector<std::uint64_t> m_last; /* last line of each stream; ~0: none */
    std::size_t m_next = 0;            /* the entry a new candidate replaces (round robin) */
    std::uint32_t m_degree;
    unsigned m_region_shift;
};

}  // namespace mtesim
