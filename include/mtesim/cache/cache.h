// Cache: a set-associative, true-LRU, write-back cache array used for the cores' L1D and the
// shared LLC. Lines carry their allocation tags (4 bits per 16-byte granule) beside the data
// state, as MTE caches do, so a hit needs no tag-storage access. The array models presence
// and state only; data values are not stored (shared/DESIGN.md: only tags and page tables
// need bytes).
//
// Host memory: a line's number is kept complemented, so that an all-zero CacheLine is an
// invalid one, and the array comes zeroed from the OS (an anonymous mapping) instead of being
// constructed line by line: a set is first written when it is first used, and the sets a run
// never uses (most of the private L2s of idle cores) cost no host memory at all.
#pragma once

#include <cstdint>
#include <cstddef>

namespace mtesim {

struct CacheConfig {
    std::uint64_t size_bytes = 0;
    std::uint32_t ways = 0;
    std::uint32_t line_bytes = 64;
};

/*
 * 32 bytes, aligned to 32 in the array: a set of 16 ways is 8 host cache lines (it was 10 at 40
 * bytes), and the set scans of a large LLC or L2 are bound by host memory. Every field is a
 * whole word or byte, so that a hit's LRU stamp and dirty bit are one store each and a
 * tags_valid test one byte compare (a 61-bit stamp sharing a word with the flags cost a
 * read-modify-write and masks on every hit). The stamp is 32 bits: before the cache's clock
 * wraps, Cache renumbers every set's stamps in the same order (Cache::renumber), so that no
 * victim choice changes.
 */
struct alignas(32) CacheLine {
    static constexpr std::uint64_t kInvalid = ~0ull;

    std::uint64_t key = 0;     /* ~(physical address >> line shift); 0: invalid (line() == kInvalid) */
    std::uint32_t lru = 0;     /* last use, a stamp of the cache's clock; larger is newer, 0: never (invalid) */
    bool dirty = false;        /* data modified */
    bool tag_dirty = false;    /* tags modified (STG and friends) */
    bool tags_valid = false;   /* tags were fetched with the line */
    std::uint64_t tags = 0;    /* nibble g: allocation tag of granule g of the line */
    std::uint64_t sharers = 0; /* LLC: bit c set when core c's L1 took a copy (c < 64) */

    std::uint64_t line() const { return ~key; } /* the line number, kInvalid when invalid */
    bool valid() const { return key != 0; }
};
static_assert(sizeof(CacheLine) == 32, "a cache line's state is 32 bytes");

class Cache {
public:
    explicit Cache(const CacheConfig &config);
    ~Cache();
    Cache(const Cache &) = delete;
    Cache &operator=(const Cache &) = delete;

    /// The line holding @line_no, marked most recently used, or nullptr. The line found last
    /// is checked first (a program's next access is often to the same line): the same line
    /// and the same LRU stamp as the scan would give, without the scan.
    CacheLine *find(std::uint64_t line_no) {
        if (line_no == m_last_no) {
            m_last->lru = stamp();
            return m_last;
        }
        CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
        const std::uint64_t key = ~line_no;
        for (std::uint32_t w = 0; w < m_ways; ++w) {
            if (set[w].key == key) {
                set[w].lru = stamp();
                m_last_no = line_no;
                m_last = &set[w];
                return &set[w];
            }
        }
        return nullptr;
    }
    /// find(), or on a miss insert() (@hit says which): one scan of the set instead of two,
    /// with the same LRU updates and the same victim as the two calls.
    CacheLine *find_or_insert(std::uint64_t line_no, CacheLine &victim, bool &hit) {
        CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
        const std::uint64_t key = ~line_no;
        CacheLine *v = set;
        for (std::uint32_t w = 0; w < m_ways; ++w) {
            if (set[w].key == key) {
                set[w].lru = stamp();
                hit = true;
                return &set[w];
            }
            if (set[w].lru < v->lru) v = &set[w]; /* insert()'s choice: the first least recent way */
        }
        hit = false;
        if (v == m_last) m_last_no = CacheLine::kInvalid;
        if (line_no == m_absent_no) m_absent_no = CacheLine::kInvalid;
        m_valid += !v->valid();
        victim = *v;
        *v = CacheLine{};
        v->key = key;
        v->lru = stamp();
        return v;
    }
    /// Like find() without touching LRU state. A miss is remembered until that line is
    /// inserted (a tag store peeks the same absent L2 and LLC line for each of its granule
    /// pairs), and a cache holding no line answers without a scan (an idle peer's).
    CacheLine *peek(std::uint64_t line_no) {
        if (line_no == m_last_no) return m_last;
        if (line_no == m_absent_no || m_valid == 0) return nullptr;
        return peek_scan(line_no);
    }

    /// Allocates @line_no (not present) in its set's LRU way. The victim's old contents are
    /// copied to @victim (invalid when the way was free). Returns the new, clean line.
    CacheLine *insert(std::uint64_t line_no, CacheLine &victim);
    void invalidate(std::uint64_t line_no);

    unsigned line_shift() const { return m_line_shift; }
    /// Tests, on a cache not yet used: the clock's value, so that a short test reaches the
    /// 32-bit stamp's wrap.
    void set_clock_for_test(std::uint32_t clock) { m_clock = clock; }
    const CacheConfig &config() const { return m_config; }

private:
    CacheConfig m_config;
    std::uint32_t m_ways;
    std::uint64_t m_set_mask;
    unsigned m_line_shift = 0;
    std::uint32_t m_clock = 0; /* the last stamp given */
    /// The next LRU stamp: one more than the last, or, when the clock would wrap to 0, the one
    /// after renumber()'s.
    std::uint32_t stamp() {
        const std::uint32_t s = m_clock + 1;
        m_clock = __builtin_expect(s == 0, 0) ? renumber() : s;
        return m_clock;
    }
    /// Replaces each set's stamps by their ranks in the set (1 for the least recent; 0 stays
    /// 0), which keeps every comparison a victim choice makes; returns the next stamp.
    std::uint32_t renumber();
    /// peek() past its remembered line, its remembered miss and an empty cache: the set's scan.
    CacheLine *peek_scan(std::uint64_t line_no);
    /// Zeroed memory for @count lines, aligned to a host cache line (see the constructor);
    /// @mapped: its bytes when it is an anonymous mapping, else 0.
    static CacheLine *allocate(std::size_t count, std::size_t &mapped);

    CacheLine *m_lines = nullptr; /* [set][way], zeroed (invalid) memory */
    /* find()'s last line: m_last holds line m_last_no (kInvalid: none; a physical address
     * shifted by the line size never is ~0, so it is never looked up). Only this class changes
     * a line's key, and it forgets the line when it does (insert, find_or_insert, invalidate). */
    std::uint64_t m_last_no = CacheLine::kInvalid;
    CacheLine *m_last = nullptr;
    /* peek()'s last miss: line m_absent_no is in no way (kInvalid: none). Forgotten when that
     * line is inserted, the only way a line enters. */
    std::uint64_t m_absent_no = CacheLine::kInvalid;
    std::uint64_t m_valid = 0; /* valid lines (ways whose key is not 0) */
    std::size_t m_mapped = 0;     /* bytes of m_lines mapped with mmap; 0: from aligned_alloc */
};

}  // namespace mtesim
