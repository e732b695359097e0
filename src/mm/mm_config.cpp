// MmConfig::resolve: the [mm] keys.
#include "mtesim/mm/mm_config.h"

namespace mtesim {

const char *MmConfig::name(CmaPolicy p) {
    switch (p) {
    case CmaPolicy::linux_balance: return "linux-balance";
    case CmaPolicy::cma_last: return "cma-last";
    case CmaPolicy::cma_first: return "cma-first";
    case CmaPolicy::never: return "never";
    }
    return "?";
}

const char *MmConfig::name(TagReservePath p) { return p == TagReservePath::fast_path ? "fast-path" : "contig-range"; }

MmConfig MmConfig::resolve(ConfigStore &s) {
    MmConfig c;
    const std::string policy = s.get_string("mm.cma_policy", "linux-balance",
                                            "which movable allocations use the tag-storage pool",
                                            {"linux-balance", "cma-last", "cma-first", "never"});
    for (CmaPolicy p : {CmaPolicy::linux_balance, CmaPolicy::cma_last, CmaPolicy::cma_first, CmaPolicy::never})
        if (policy == name(p)) c.cma_policy = p;
    c.tag_reserve = s.get_string("mm.tag_reserve", "fast-path", "how tag storage is reserved for a tagged allocation",
                                 {"fast-path", "contig-range"}) == "fast-path"
                        ? TagReservePath::fast_path
                        : TagReservePath::contig_range;
    c.contig_retries = static_cast<unsigned>(
        s.get_u64("mm.contig_retries", 3, "count", "alloc_contig_range attempts before the fault-on-access fallback", 1, 100));
    c.min_free_kbytes = s.get_u64("mm.min_free_kbytes", 0, "KiB", "vm.min_free_kbytes (0: Linux's default formula)", 0, 1ull << 32);
    return c;
}

}  // namespace mtesim
