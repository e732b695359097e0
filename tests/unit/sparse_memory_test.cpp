// SparseMemory: byte reads and writes through its kept last page, against a plain reference,
// across page zeroing and pattern pages.
#include "mtesim/mem/sparse_memory.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

using namespace mtesim;

TEST(SparseMemory, BytesSurviveTheKeptPageAcrossPagesZeroingAndPatterns) {
    SparseMemory m;
    std::map<std::uint64_t, std::uint8_t> ref; /* bytes written and not zeroed since */
    auto expect_of = [&](std::uint64_t a) -> std::uint64_t {
        auto it = ref.find(a);
        return it == ref.end() ? 0 : it->second;
    };
    std::mt19937_64 rng(41);
    const std::uint64_t base = 0x80000000ull;
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t page = rng() % 4, off = rng() % 64;
        const std::uint64_t a = base + page * kPageSize + off;
        const unsigned op = rng() % 10;
        SCOPED_TRACE("operation " + std::to_string(i));
        if (op < 4) {
            const std::uint8_t v = static_cast<std::uint8_t>(rng());
            m.write_byte(PhysAddr(a), v);
            ref[a] = v;
        } else if (op < 8) {
            ASSERT_EQ(m.read_byte(PhysAddr(a)), expect_of(a));
        } else if (op == 8) { /* the page read as zero, kept or not */
            m.zero_page(pfn_of(PhysAddr(a)));
            ref.erase(ref.lower_bound(base + page * kPageSize), ref.lower_bound(base + (page + 1) * kPageSize));
        } else { /* a pattern page (words 0..7: 1, 2, ...): a byte write then makes it plain */
            const std::uint64_t pbase = base + page * kPageSize;
            m.zero_page(pfn_of(PhysAddr(pbase)));
            ref.erase(ref.lower_bound(pbase), ref.lower_bound(pbase + kPageSize));
            const std::uint64_t words[8] = {1, 2, 3, 4, 5, 6, 7, 8};
            m.write_words(PhysAddr(pbase), words, 8);
            for (std::uint64_t w = 0; w < 8; ++w) ref[pbase + 8 * w] = static_cast<std::uint8_t>(w + 1);
        }
    }
}
