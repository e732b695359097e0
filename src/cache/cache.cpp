// Cache: sets are a power of two (checked by CoreConfig::resolve); the set index is the low
// bits of the line number.
#include "mtesim/cache/cache.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define MTESIM_HAVE_MMAP 1
#endif

namespace mtesim {

Cache::Cache(const CacheConfig &config) : m_config(config), m_ways(config.ways) {
    const std::uint64_t sets = config.size_bytes / (std::uint64_t(config.ways) * config.line_bytes);
    MTESIM_ASSERT(sets > 0 && (sets & (sets - 1)) == 0, "cache sets must be a power of two (config not validated)");
    m_set_mask = sets - 1;
    while ((1u << m_line_shift) < config.line_bytes) ++m_line_shift;
    m_lines = allocate(sets * m_ways, m_mapped);
}

/*
 * Zeroed memory is an array of invalid lines (CacheLine's all-zero state). A large array is an
 * anonymous mapping: the OS zeroes its pages on first touch, so nothing is written here and a
 * set untouched by the run costs nothing. Small arrays (an L1D) come from aligned_alloc and are
 * cleared. Both are aligned to 64 bytes so that no 32-byte line straddles two host cache lines.
 */
CacheLine *Cache::allocate(std::size_t count, std::size_t &mapped) {
    static_assert(std::is_trivially_copyable_v<CacheLine> && std::is_trivially_destructible_v<CacheLine>,
                  "CacheLine lives in zeroed memory");
    constexpr std::size_t kHostLine = 64, kMapAbove = std::size_t(64) << 10;
    const std::size_t bytes = (count * sizeof(CacheLine) + kHostLine - 1) / kHostLine * kHostLine;
    mapped = 0;
#ifdef MTESIM_HAVE_MMAP
    if (bytes >= kMapAbove) {
        void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            mapped = bytes;
            return static_cast<CacheLine *>(p);
        }
    }
#endif
    void *p = std::aligned_alloc(kHostLine, bytes);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    return static_cast<CacheLine *>(p);
}

Cache::~Cache() {
#ifdef MTESIM_HAVE_MMAP
    if (m_mapped) {
        munmap(m_lines, m_mapped);
        return;
    }
#endif
    std::free(m_lines);
}

/* peek()'s scan (the header tests the line found last, the last miss and an empty cache first). */
CacheLine *Cache::peek_scan(std::uint64_t line_no) {
    CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
    const std::uint64_t key = ~line_no;
    for (std::uint32_t w = 0; w < m_ways; ++w)
        if (set[w].key == key) {
            m_last_no = line_no;
            m_last = &set[w];
            return &set[w];
        }
    m_absent_no = line_no;
    return nullptr;
}

CacheLine *Cache::insert(std::uint64_t line_no, CacheLine &victim) {
    CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
    CacheLine *v = set;
    for (std::uint32_t w = 1; w < m_ways; ++w)
        if (set[w].lru < v->lru) v = &set[w];
    if (v == m_last) m_last_no = CacheLine::kInvalid;
    if (line_no == m_absent_no) m_absent_no = CacheLine::kInvalid;
    m_valid += !v->valid();
    victim = *v;
    *v = CacheLine{};
    v->key = ~line_no;
    v->lru = stamp();
    return v;
}

/*
 * The clock is about to wrap (2^32 - 1 stamps given: on one L1D, some minutes of host time).
 * A victim choice compares the stamps of one set only, and only their order matters (the first
 * way of the smallest stamp; equal stamps are all 0, lines never used since they were
 * invalidated), so each set's stamps are replaced by their ranks: the least recent valid stamp
 * becomes 1, the next 2, and so on; 0 stays 0 and equal stamps stay equal. The next stamp is
 * then one more than any rank. A set left unchanged is not written (the untouched sets of a
 * large mapped array stay unbacked).
 */
std::uint32_t Cache::renumber() {
    const std::uint64_t sets = m_set_mask + 1;
    std::vector<std::uint32_t> order(m_ways);
    for (std::uint64_t s = 0; s < sets; ++s) {
        CacheLine *set = &m_lines[s * m_ways];
        for (std::uint32_t w = 0; w < m_ways; ++w) order[w] = w;
        std::sort(order.begin(), order.end(), [set](std::uint32_t a, std::uint32_t b) { return set[a].lru < set[b].lru; });
        std::uint32_t rank = 0, last = 0;
        for (std::uint32_t w : order) {
            const std::uint32_t old = set[w].lru;
            if (old != last) ++rank; /* equal stamps keep equal ranks (0 stays 0) */
            last = old;
            if (old != rank) set[w].lru = rank;
        }
    }
    return m_ways + 1;
}

void Cache::invalidate(std::uint64_t line_no) {
    if (CacheLine *l = peek(line_no)) {
        if (l == m_last) m_last_no = CacheLine::kInvalid;
        *l = CacheLine{};
        --m_valid;
    }
}

}  // namespace mtesim
