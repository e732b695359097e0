// Cache: a set-associative, true-LRU, write-back cache array used for the cores' L1D and the
// shared LLC. Lines carry their allocation tags (4 bits per 16-byte granule) beside the data
// state, as MTE caches do, so a hit needs no tag-storage access. The array models presence
// and state only; data values are not stored (shared/DESIGN.md: only tags and page tables
// need bytes).
#pragma once

#include <cstdint>
#include <vector>

namespace mtesim {

struct CacheConfig {
    std::uint64_t size_bytes = 0;
    std::uint32_t ways = 0;
    std::uint32_t line_bytes = 64;
};

struct CacheLine {
    static constexpr std::uint64_t kInvalid = ~0ull;

    std::uint64_t line = kInvalid; /* physical address >> line shift */
    std::uint64_t lru = 0;         /* last use; larger is newer */
    std::uint64_t tags = 0;        /* nibble g: allocation tag of granule g of the line */
    std::uint64_t sharers = 0;     /* LLC: bit c set when core c's L1 took a copy (c < 64) */
    bool dirty = false;            /* data modified */
    bool tag_dirty = false;        /* tags modified (STG and friends) */
    bool tags_valid = false;       /* tags were fetched with the line */

    bool valid() const { return line != kInvalid; }
};

class Cache {
public:
    explicit Cache(const CacheConfig &config);

    /// The line holding @line_no, marked most recently used, or nullptr.
    CacheLine *find(std::uint64_t line_no) {
        CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
        for (std::uint32_t w = 0; w < m_ways; ++w) {
            if (set[w].line == line_no) {
                set[w].lru = ++m_clock;
                return &set[w];
            }
        }
        return nullptr;
    }
    /// Like find() without touching LRU state.
    CacheLine *peek(std::uint64_t line_no);

    /// Allocates @line_no (not present) in its set's LRU way. The victim's old contents are
    /// copied to @victim (invalid when the way was free). Returns the new, clean line.
    CacheLine *insert(std::uint64_t line_no, CacheLine &victim);
    void invalidate(std::uint64_t line_no);

    unsigned line_shift() const { return m_line_shift; }
    const CacheConfig &config() const { return m_config; }

private:
    CacheConfig m_config;
    std::uint32_t m_ways;
    std::uint64_t m_set_mask;
    unsigned m_line_shift = 0;
    std::uint64_t m_clock = 0;
    std::vector<CacheLine> m_lines; /* [set][way] */
};

}  // namespace mtesim
