// StrongInt: a 64-bit integer that carries what it counts in its type, so a physical address
// cannot be passed where a virtual address, a page frame number or a tag address is expected
// (ChampSim's address types, shared/DESIGN.md "Conventions"). Only the arithmetic that makes
// sense for an address is offered: adding or subtracting a byte/page offset, and the
// difference of two values of the same kind.
#pragma once

#include <cstdint>
#include <functional>

namespace mtesim {

template <typename Kind>
class StrongInt {
public:
    constexpr StrongInt() = default;
    constexpr explicit StrongInt(std::uint64_t value) : m_value(value) {}

    constexpr std::uint64_t value() const { return m_value; }

    constexpr StrongInt operator+(std::uint64_t offset) const { return StrongInt(m_value + offset); }
    constexpr StrongInt operator-(std::uint64_t offset) const { return StrongInt(m_value - offset); }
    constexpr StrongInt &operator+=(std::uint64_t offset) { m_value += offset; return *this; }
    /// Distance between two values of the same kind, in the kind's unit.
    constexpr std::uint64_t operator-(StrongInt other) const { return m_value - other.m_value; }

    constexpr bool operator==(StrongInt o) const { return m_value == o.m_value; }
    constexpr bool operator!=(StrongInt o) const { return m_value != o.m_value; }
    constexpr bool operator<(StrongInt o) const { return m_value < o.m_value; }
    constexpr bool operator<=(StrongInt o) const { return m_value <= o.m_value; }
    constexpr bool operator>(StrongInt o) const { return m_value > o.m_value; }
    constexpr bool operator>=(StrongInt o) const { return m_value >= o.m_value; }

private:
    std::uint64_t m_value = 0;
};

}  // namespace mtesim

template <typename Kind>
struct std::hash<mtesim::StrongInt<Kind>> {
    std::size_t operator()(mtesim::StrongInt<Kind> v) const noexcept {
        return std::hash<std::uint64_t>()(v.value());
    }
};
