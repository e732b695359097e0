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
    // The pick-th allowed tag, pick uniform in [0, allowed).
    unsigned mask = ~exclude & 0xffffu;
    const unsigned allowed = static_cast<unsigned>(__builtin_popcount(mask));
    unsigned pick = static_cast<unsigned>(((r >> 32) * allowed) >> 32);
    while (pick--) mask &= mask - 1;
    return static_cast<Tag>(__builtin_ctz(mask));
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
