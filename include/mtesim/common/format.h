// Number formatting shared by every message and report, so an address or a size reads the
// same everywhere: hex for addresses, binary prefixes for sizes.
#pragma once

#include <cstdint>
#include <string>

namespace mtesim {

/// "0x7c000000".
std::string hex(std::uint64_t value);
/// @value with @decimals digits after the point ("12.35").
std::string fixed(double value, int decimals);
/// "1984 MiB", "3.88 GiB", "4 KiB", "512 B": binary prefixes, at most two decimals.
std::string human_size(std::uint64_t bytes);
/// Parses "0x80001000", "2147483648" or "4G"-free plain numbers; false when @text is not a
/// whole unsigned 64-bit number in decimal or 0x-hex.
bool parse_u64(const std::string &text, std::uint64_t &out);

}  // namespace mtesim
