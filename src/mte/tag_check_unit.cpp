// TagCheckUnit: see the header.
#include "mtesim/mte/tag_check_unit.h"
#include "mtesim/common/xorshift64_star.h"

namespace mtesim {

CheckOutcome TagCheckUnit::on_mismatch(MteThreadState &s, bool write) {
    switch (s.tcf) {
    case TcfMode::none: return CheckOutcome::pass;
    case TcfMode::sync: return CheckOutcome::sync_fault;
    case TcfMode::async:
        if (!s.tfsr) s.tfsr_write = write;
        s.tfsr = true;
        return CheckOutcome::async_fault;
    case TcfMode::asymm:
        if (!write) return CheckOutcome::sync_fault;
        if (!s.tfsr) s.tfsr_write = write;
        s.tfsr = true;
        return CheckOutcome::async_fault;
    }
    return CheckOutcome::pass;
}

bool TagCheckUnit::take_async_fault(MteThreadState &s) {
    if (!s.tfsr) return false;
    s.tfsr = false;
    return true;
}

namespace {
/* For each byte b: its number of set bits, and the position of its k-th set bit (from 0). */
struct ByteSelect {
    std::uint8_t ones[256] = {};
    std::uint8_t pos[256][8] = {};
    constexpr ByteSelect() {
        for (unsigned b = 0; b < 256; ++b) {
            unsigned k = 0;
            for (unsigned i = 0; i < 8; ++i)
                if ((b >> i) & 1) pos[b][k++] = static_cast<std::uint8_t>(i);
            ones[b] = static_cast<std::uint8_t>(k);
        }
    }
};
constexpr ByteSelect kByteSelect;
}  // namespace

Tag TagCheckUnit::irg(MteThreadState &s, std::uint16_t extra_exclude) {
    const std::uint16_t exclude = s.exclude | extra_exclude;
    if (exclude == 0xffff) return 0;
    const std::uint64_t r = xorshift64_star(s.rng); /* stand-in for the implementation-defined RNG */
    // The pick-th allowed tag (in increasing order), pick uniform in [0, allowed): the allowed
    // tags are counted, and the pick-th found, a byte (eight tags) at a time from a table.
    const unsigned mask = ~exclude & 0xffffu, lo = mask & 0xff, hi = mask >> 8;
    const unsigned in_lo = kByteSelect.ones[lo], allowed = in_lo + kByteSelect.ones[hi];
    const unsigned pick = static_cast<unsigned>(((r >> 32) * allowed) >> 32);
    return static_cast<Tag>(pick < in_lo ? kByteSelect.pos[lo][pick] : 8 + kByteSelect.pos[hi][pick - in_lo]);
}

Tag TagCheckUnit::choose_non_excluded(Tag start, unsigned offset, std::uint16_t exclude) {
    if (exclude == 0xffff) return 0;
    unsigned tag = start & 0xf;
    if (offset == 0) {
        while ((exclude >> tag) & 1) tag = (tag + 1) & 0xf;
    }
    while (offset > 0) {
        --offset;
        tag = (tag + 1) & 0xf;
        while ((exclude >> tag) & 1) tag = (tag + 1) & 0xf;
    }
    return static_cast<Tag>(tag);
}

}  // namespace mtesim
