// FragmentationScore: the measure proactive compaction works from (mm/compaction.c
// fragmentation_score_zone / fragmentation_score_node / fragmentation_score_wmark, and
// mm/vmstat.c extfrag_for_order). A zone's score is the share of its free memory, in percent,
// that lies in blocks smaller than a huge page (order COMPACTION_HPAGE_ORDER, 9 with 4 KiB
// pages); the node's is the zones' scores weighted by their size. kcompactd compacts the node
// proactively when the node's score exceeds the high mark and stops in a zone once the zone's
// score is at or below the low mark (vm.compaction_proactiveness sets both).
#pragma once

#include "mtesim/mm/zone.h"

#include <memory>
#include <vector>

namespace mtesim {

class FragmentationScore {
public:
    /// COMPACTION_HPAGE_ORDER: PMD_SHIFT - PAGE_SHIFT with 4 KiB pages.
    static constexpr unsigned kHpageOrder = 9;

    /// extfrag_for_order: the free pages of @z (every free list, the pool's and isolated
    /// pageblocks' included, as zone->free_area counts them) that are not in a free block of
    /// order @order or larger, in percent of its free pages (integer division); 0 with none free.
    static unsigned extfrag(const Zone &z, unsigned order);
    /// fragmentation_score_zone: extfrag at kHpageOrder, in percent.
    static unsigned zone(const Zone &z) { return extfrag(z, kHpageOrder); }
    /// fragmentation_score_node: the sum over the zones of zone score x zone pages / (node pages
    /// + 1), each term rounded down. The model's managed pages stand for present_pages (the
    /// difference is the memory reserved at boot).
    static unsigned node(const std::vector<std::unique_ptr<Zone>> &zones);
    /// fragmentation_score_wmark: low max(100 - @proactiveness, 5); high min(low + 10, 100).
    static unsigned wmark(unsigned proactiveness, bool low);
    /// fragmentation_index (mm/vmstat.c __fragmentation_index), in thousandths: why a request of
    /// 2^@order pages fails in @z, towards 0 for lack of free memory, towards 1000 for
    /// fragmentation; -1000 when a free block of the order exists (it would not fail), 0 with
    /// nothing free. Compaction for a costly order is not tried at or below
    /// vm.extfrag_threshold (compaction_suitable).
    static int index(const Zone &z, unsigned order);
};

}  // namespace mtesim
