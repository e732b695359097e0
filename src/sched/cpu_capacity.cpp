// CpuCapacity: see the header.
#include "mtesim/sched/cpu_capacity.h"

#include <algorithm>

namespace mtesim {

std::vector<std::uint32_t> CpuCapacity::normalise(const std::vector<std::uint32_t> &dmips_mhz,
                                                  const std::vector<std::uint64_t> &clock_hz) {
    std::vector<std::uint32_t> cap(dmips_mhz.size(), 1024);
    std::vector<unsigned __int128> raw(dmips_mhz.size(), 0);
    unsigned __int128 scale = 0;
    for (std::size_t i = 0; i < dmips_mhz.size(); ++i) {
        if (dmips_mhz[i] == 0) return cap; /* not given: every CPU 1024 */
        raw[i] = static_cast<unsigned __int128>(dmips_mhz[i]) * (clock_hz[i] / 1000); /* capacity_freq_ref in kHz */
        scale = std::max(scale, raw[i]);
    }
    if (scale == 0) return cap;
    for (std::size_t i = 0; i < raw.size(); ++i)
        cap[i] = static_cast<std::uint32_t>((raw[i] << 10) / scale); /* << SCHED_CAPACITY_SHIFT, div64_u64 */
    return cap;
}

}  // namespace mtesim
