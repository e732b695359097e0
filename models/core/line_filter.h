// LineFilter: a membership filter for the memory path's short lists of lines in flight.
#pragma once

#include <array>
#include <cstdint>

namespace mtesim {

/// Counts of the lines of a short list (prefetches or fills in flight, at most 255 entries) by
/// a hash of the line number: a zero count says a line is not in the list without scanning it.
/// The hit path of a stream asks for every access whether its line is still in flight; it
/// mostly is not. The hash is multiplicative (Fibonacci hashing, the top kBits bits of the line
/// times 2^64 / phi) over kSlots counters, so that lines of unrelated regions that share their
/// low bits (a stream's lines and the struct pages the kernel's prefetched lines hold, both
/// consecutive) do not share a slot; with the low 6 bits alone, 32 such lines in a list made
/// half of a stream's hits scan it. The filter only decides whether to scan: its answers
/// change no result.
class LineFilter {
public:
    void add(std::uint64_t line) { ++m_count[slot(line)]; }
    void remove(std::uint64_t line) { --m_count[slot(line)]; }
    bool may_hold(std::uint64_t line) const { return m_count[slot(line)] != 0; }

private:
    static constexpr unsigned kBits = 10;
    static constexpr std::size_t kSlots = std::size_t{1} << kBits;
    static std::size_t slot(std::uint64_t line) { return static_cast<std::size_t>((line * 0x9E3779B97F4A7C15ull) >> (64 - kBits)); }
    std::array<std::uint8_t, kSlots> m_count{};
};

}  // namespace mtesim
