// AddrRange: a half-open range [base, base + size) of physical addresses, the unit in which
// the device tree describes memory, tag storage and bus targets.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/common/format.h"

#include <cstdint>
#include <string>

namespace mtesim {

class AddrRange {
public:
    constexpr AddrRange() = default;
    constexpr AddrRange(PhysAddr base, std::uint64_t size_bytes) : m_base(base), m_size(size_bytes) {}

    constexpr PhysAddr base() const { return m_base; }
    constexpr std::uint64_t size() const { return m_size; } /* in bytes */
    /// One past the last byte. Callers check end_overflows() before trusting it.
    constexpr PhysAddr end() const { return m_base + m_size; }
    constexpr bool end_overflows() const { return m_base.value() + m_size < m_base.value(); }

    constexpr bool contains(PhysAddr pa) const { return pa >= m_base && pa - m_base < m_size; }
    constexpr bool contains(const AddrRange &r) const {
        return r.m_base >= m_base && r.m_size <= m_size && r.m_base - m_base <= m_size - r.m_size;
    }
    constexpr bool overlaps(const AddrRange &r) const {
        return m_size != 0 && r.m_size != 0 && m_base < r.end() && r.m_base < end();
    }

    /// "[0x80000000, 0xfc000000)".
    std::string to_string() const;

private:
    PhysAddr m_base;
    std::uint64_t m_size = 0; /* in bytes */
};

}  // namespace mtesim
