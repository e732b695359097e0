// DramAddressMapper: slices a DRAM-space byte address into channel, rank, bank group, bank,
// row and column by the configured field order (Ramulator's "RoBaRaCoCh" notation, MSB
// first). The lowest log2(burst bytes) bits select the byte within a burst. Bits above the
// capacity are ignored, as DRAMsim3 and Ramulator do with foreign traces.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/dram/dram_config.h"

#include <array>
#include <cstdint>

namespace mtesim {

struct DramCoord {
    std::uint32_t channel = 0, rank = 0, bankgroup = 0, bank = 0;
    std::uint64_t row = 0, column = 0; /* column in bursts */
};

class DramAddressMapper {
public:
    explicit DramAddressMapper(const DramConfig &config);

    DramCoord decode(DramAddr addr) const {
        const std::uint64_t a = addr.value() >> m_burst_shift;
        DramCoord c;
        c.channel = static_cast<std::uint32_t>(field(a, kCh));
        c.rank = static_cast<std::uint32_t>(field(a, kRa));
        c.bankgroup = static_cast<std::uint32_t>(field(a, kBg));
        c.bank = static_cast<std::uint32_t>(field(a, kBa));
        c.row = field(a, kRo);
        c.column = field(a, kCo);
        return c;
    }

    /// The lowest DramAddr that decodes to @c (inverse of decode within the capacity).
    DramAddr encode(const DramCoord &c) const {
        std::uint64_t a = 0;
        a |= (std::uint64_t(c.channel) & m_mask[kCh]) << m_shift[kCh];
        a |= (std::uint64_t(c.rank) & m_mask[kRa]) << m_shift[kRa];
        a |= (std::uint64_t(c.bankgroup) & m_mask[kBg]) << m_shift[kBg];
        a |= (std::uint64_t(c.bank) & m_mask[kBa]) << m_shift[kBa];
        a |= (c.row & m_mask[kRo]) << m_shift[kRo];
        a |= (c.column & m_mask[kCo]) << m_shift[kCo];
        return DramAddr(a << m_burst_shift);
    }

private:
    enum Field { kCh, kRa, kBg, kBa, kRo, kCo, kFields };
    std::uint64_t field(std::uint64_t a, Field f) const { return (a >> m_shift[f]) & m_mask[f]; }

    unsigned m_burst_shift = 0;
    std::array<unsigned, kFields> m_shift{};
    std::array<std::uint64_t, kFields> m_mask{};
};

}  // namespace mtesim
