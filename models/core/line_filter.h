// LineFilter: a membership filter for the memory path's short lists of lines in flight.
#pragma once

#include <array>
#include <cstdint>

namespace mtesim {

/// Counts of the lines of a short list (prefetches or fills in flight, at most 255 entries) by
/// their low 6 bits: a zero count says a line is not in the list without scanning it. The hit
/// path of a stream asks for every access whether its line is still in flight; it mostly is not.
class LineFilter {
public:
    void add(std::uint64_t line) { ++m_count[line & 63]; }
    void remove(std::uint64_t line) { --m_count[line & 63]; }
    bool may_hold(std::uint64_t line) const { return m_count[line & 63] != 0; }

private:
    std::array<std::uint8_t, 64> m_count{};
};

}  // namespace mtesim
