// TagCheckUnit: the per-thread MTE state a core keeps (SCTLR_EL1.TCF0, GCR_EL1.Exclude,
// TFSRE0_EL1) and the architectural tag arithmetic and check decisions, in plain C++:
//   - which faults a mismatch raises: sync (precise, access suppressed), async (TFSR set,
//     reported at the next kernel entry) or, with FEAT_MTE3 asymm, sync for reads and async
//     for writes (Arm ARM D10, "Tag Check Fault");
//   - IRG: a random tag not in GCR_EL1.Exclude or the extra mask
//     (AArch64.ChooseRandomNonExcludedTag);
//   - ADDG/SUBG: AArch64.ChooseNonExcludedTag(start, offset, exclude).
// The core supplies the allocation tags (from the cache line) and charges the time.
#pragma once

#include "mtesim/mte/tag.h"
#include "mtesim/trace/trace_event.h"

#include <cstdint>

namespace mtesim {

/// GCR_EL1.Exclude after exec: PR_MTE_TAG_MASK 0, so all 16 tags are excluded.
inline constexpr std::uint16_t kExecDefaultExclude = 0xffff;

struct MteThreadState {
    TcfMode tcf = TcfMode::none;
    /* GCR_EL1.Exclude: tags IRG never returns. After exec Linux's PR_MTE_TAG_MASK is 0: every
     * tag excluded, IRG returns 0 until prctl sets an include mask (memory-tagging-extension.rst,
     * "Tag generation"; selftest check_tags_inclusion). */
    std::uint16_t exclude = kExecDefaultExclude;
    bool tfsr = false;            /* TFSRE0_EL1.TF0: an async fault is pending */
    bool tfsr_write = false;      /* the access that set TFSR first was a store */
    bool tco = false;             /* PSTATE.TCO: tag checks suppressed (Arm ARM D10.5.1) */
    bool mask_set = false;        /* the include mask was set (thread line exclude=, or prctl) */
    std::uint64_t rng = 0x9e3779b97f4a7c15ull; /* IRG's random source (RGSR_EL1), seeded per thread */
};

enum class CheckOutcome { pass, sync_fault, async_fault };

class TagCheckUnit {
public:
    /// True when accesses of this thread are checked at all (TCF != none, PSTATE.TCO clear).
    static bool checking(const MteThreadState &s) { return s.tcf != TcfMode::none && !s.tco; }

    /// True when a mismatch on a read (@write false) or write raises a synchronous fault for
    /// @s (TCF sync; asymm for reads): the access cannot complete before its check. Otherwise
    /// (async; asymm writes) the check completes after the access, whose mismatch sets TFSR.
    static bool faults_sync(const MteThreadState &s, bool write) {
        return s.tcf == TcfMode::sync || (s.tcf == TcfMode::asymm && !write);
    }

    /// What a mismatch on a read (@write false) or write raises for @s, and records TFSR.
    static CheckOutcome on_mismatch(MteThreadState &s, bool write);

    /// At a kernel entry: true (and TFSR cleared) when an async fault must be delivered.
    static bool take_async_fault(MteThreadState &s);

    /// IRG: random tag excluding GCR_EL1.Exclude | @extra_exclude; 0 if all are excluded.
    static Tag irg(MteThreadState &s, std::uint16_t extra_exclude);

    /// AArch64.ChooseNonExcludedTag: @offset steps from @start over non-excluded tags.
    static Tag choose_non_excluded(Tag start, unsigned offset, std::uint16_t exclude);
};

}  // namespace mtesim
