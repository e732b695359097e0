// SlidingVector: the same contents, order and indices as a std::vector given the same
// operations (appends, erases at the front, in the middle and at the back, clears, copies),
// over a long random run that empties, reclaims and grows the storage many times.
#include "mtesim/common/sliding_vector.h"
#include "mtesim/common/xorshift64_star.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

using namespace mtesim;

TEST(SlidingVector, BehavesAsAVectorThroughFrontErasesReclaimsAndCopies) {
    SlidingVector<std::uint64_t> s;
    std::vector<std::uint64_t> v;
    std::uint64_t rng = 99, value = 0;
    const auto next = [&](std::uint64_t n) {
        return (xorshift64_star(rng) >> 32) % n;
    };
    const auto same = [&](const SlidingVector<std::uint64_t> &a, int op) {
        ASSERT_EQ(a.size(), v.size()) << "operation " << op;
        ASSERT_EQ(a.empty(), v.empty());
        for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(a[i], v[i]) << "index " << i << ", operation " << op;
        if (!v.empty()) {
            ASSERT_EQ(a.back(), v.back());
            ASSERT_EQ(a.data()[v.size() - 1], v.back());
        }
        std::vector<std::uint64_t> reversed(a.rbegin(), a.rend()), want(v.rbegin(), v.rend());
        ASSERT_EQ(reversed, want);
    };
    int front_erases = 0, copies = 0;
    SlidingVector<std::uint64_t> c; /* copied into again and again */
    for (int i = 0; i < 5; ++i) c.push_back(1000000 + i);
    for (int op = 0; op < 30000; ++op) {
        const std::uint64_t r = next(100);
        if (r < 55 || v.empty()) {
            s.push_back(value);
            v.push_back(value++);
        } else if (r < 85) {
            const auto it = s.erase(s.begin());
            v.erase(v.begin());
            ++front_erases;
            if (!v.empty()) {
                ASSERT_EQ(*it, v.front()) << "erase returns the element that followed";
            }
        } else if (r < 97) {
            const std::size_t i = next(v.size());
            const auto it = s.erase(s.begin() + static_cast<std::ptrdiff_t>(i));
            v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
            if (i < v.size()) {
                ASSERT_EQ(*it, v[i]);
            }
        } else if (r < 99) {
            /* into a list with an erased prefix of its own, and into a new one */
            if (!c.empty()) c.erase(c.begin());
            c = s;
            ++copies;
            same(c, op);
            SlidingVector<std::uint64_t> d(s);
            same(d, op);
        } else {
            s.clear();
            v.clear();
        }
        same(s, op);
    }
    EXPECT_GT(front_erases, 5000);
    EXPECT_GT(copies, 100);

    /* moving: the elements and the head index go together; the source is left empty */
    if (v.empty()) {
        s.push_back(1);
        v.push_back(1);
    }
    s.push_back(2);
    v.push_back(2);
    s.erase(s.begin());
    v.erase(v.begin());
    SlidingVector<std::uint64_t> moved(std::move(s));
    same(moved, -1);
    EXPECT_EQ(s.size(), 0u) << "a moved-from list is empty";
    EXPECT_TRUE(s.empty());
    SlidingVector<std::uint64_t> target;
    target.push_back(7);
    target = std::move(moved);
    same(target, -2);
    EXPECT_EQ(moved.size(), 0u);
}
