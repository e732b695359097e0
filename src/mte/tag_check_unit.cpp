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

Tag TagCheckUnit::irg(MteThreadState &s, std::uint16_t extra_exclude) {
    const std::uint16_t exclude = s.exclude | extra_exclude;
    if (exclude == 0xffff) return 0;
    const std::uint64_t r = xorshift64_star(s.rng); /* stand-in for the implementation-defined RNG */
    // The pick-th allowed tag, pick uniform in [0, allowed). The allowed tags are counted and
    // the pick-th found a nibble (four tags) at a time, from a table of nibble popcounts (no
    // popcount instruction is assumed).
    static constexpr unsigned kOnes[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    unsigned mask = ~exclude & 0xffffu;
    const unsigned allowed = kOnes[mask & 0xf] + kOnes[(mask >> 4) & 0xf] + kOnes[(mask >> 8) & 0xf] + kOnes[mask >> 12];
    unsigned pick = static_cast<unsigned>(((r >> 32) * allowed) >> 32);
    unsigned base = 0;
    while (pick >= kOnes[(mask >> base) & 0xf]) {
        pick -= kOnes[(mask >> base) & 0xf];
        base += 4;
    }
    unsigned nib = (mask >> base) & 0xf;
    while (pick--) nib &= nib - 1;
    return static_cast<Tag>(base + static_cast<unsigned>(__builtin_ctz(nib)));
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
