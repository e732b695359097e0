// MteExtension: what travels with a TLM transaction besides data on an MTE system.
//   - tag_op read: the initiator wants the allocation tags of the granules the transaction
//     covers (a cache line fill: tags travel with lines, as on real MTE cores);
//   - tag_op write: the transaction carries tags to store (a dirty line's writeback, STG
//     reaching memory, the kernel restoring saved tags);
//   - tag_only: no data moves, only tags (LDG/STG-style and kernel tag copies);
//   - functional: the data bytes are real and must be kept (page tables).
// The DRAM controller answers tagged_memory = false when the address has no tag storage.
#pragma once

#include "mtesim/mte/tag.h"

#include <tlm>

#include <array>

namespace mtesim {

class MteExtension : public tlm::tlm_extension<MteExtension> {
public:
    enum class TagOp { none, read, write };
    static constexpr unsigned kMaxGranules = 16; /* a 256-byte transaction */

    TagOp tag_op = TagOp::none;
    bool tag_only = false;
    bool functional = false;
    bool tagged_memory = true;           /* set by the target */
    std::array<Tag, kMaxGranules> tags{}; /* one per 16-byte granule, from the transaction start */

    tlm::tlm_extension_base *clone() const override { return new MteExtension(*this); }
    void copy_from(const tlm::tlm_extension_base &other) override {
        *this = static_cast<const MteExtension &>(other);
    }
};

}  // namespace mtesim
