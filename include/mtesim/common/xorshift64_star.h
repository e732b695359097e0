// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators", 2016):
// the one cheap deterministic random source of the simulator (IRG's stand-in for the
// implementation-defined RNG, and the workload generators). Advances @state and returns the
// next 64-bit output; the high 32 bits are the best ones.
#pragma once

#include <cstdint>

namespace mtesim {

inline std::uint64_t xorshift64_star(std::uint64_t &state) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

}  // namespace mtesim
