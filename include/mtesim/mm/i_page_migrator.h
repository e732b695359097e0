// IPageMigrator: whoever maps movable pages (the address spaces of the kernel model) is told
// when the allocator moves one, so it can point its PTE at the copy and flush the TLB. It may
// refuse (the page is under I/O, say). With no migrator registered, movable pages have no
// mapping to fix.
#pragma once

#include "mtesim/common/address.h"

namespace mtesim {

class IPageMigrator {
public:
    virtual ~IPageMigrator() = default;
    /// The block of 2^@order pages at @from now lives at @to. False refuses the move (the
    /// allocator then frees @to and keeps @from).
    virtual bool move(Pfn from, Pfn to, unsigned order) = 0;
    /// Drops the allocated block at @pfn outright (a clean page-cache page: its contents can be
    /// read again from storage), freeing it. False when it cannot be dropped.
    virtual bool drop(Pfn pfn) {
        (void)pfn;
        return false;
    }
};

}  // namespace mtesim
