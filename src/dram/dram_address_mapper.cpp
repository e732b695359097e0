// DramAddressMapper: field widths from the geometry, positions from the mapping string read
// right to left (LSB first).
#include "mtesim/dram/dram_address_mapper.h"

namespace mtesim {

namespace {
unsigned log2u(std::uint64_t v) { return v ? 63u - static_cast<unsigned>(__builtin_clzll(v)) : 0; }
}  // namespace

DramAddressMapper::DramAddressMapper(const DramConfig &c) {
    m_burst_shift = log2u(c.burst_bytes());
    const std::uint64_t counts[kFields] = {c.channels, c.ranks, c.bankgroups, c.banks_per_group, c.rows,
                                           c.columns / c.burst_length};
    const char *names[kFields] = {"Ch", "Ra", "Bg", "Ba", "Ro", "Co"};
    unsigned pos = 0;
    for (std::size_t i = c.field_order.size(); i >= 2; i -= 2) {
        const std::string f = c.field_order.substr(i - 2, 2);
        for (int k = 0; k < kFields; ++k) {
            if (f != names[k]) continue;
            m_shift[k] = pos;
            m_mask[k] = counts[k] - 1;
            pos += log2u(counts[k]);
        }
    }
}

}  // namespace mtesim
