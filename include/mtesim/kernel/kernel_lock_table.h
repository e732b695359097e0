// KernelLockTable: every kernel lock of a run by class and key (a zone, a process's mmap
// lock, a PTE-table page's split lock, the lruvec, the tag-storage mutex), made on first use.
// Old holds are forgotten as simulated time passes, and locks left with none are dropped, so
// the table stays as small as the set of locks recently held.
#pragma once

#include "mtesim/kernel/kernel_lock.h"

#include <cstdint>
#include <unordered_map>

namespace mtesim {

class KernelLockTable {
public:
    /// The lock of class @cls named @key (created free).
    KernelLock &get(KernelLockClass cls, std::uint64_t key);
    /// Forgets holds that ended at or before @horizon_ps, every so many calls (amortised).
    void maybe_forget_before(std::uint64_t horizon_ps);
    /// Locks in the table.
    std::size_t size() const {
        std::size_t n = 0;
        for (const auto &by_key : m_locks) n += by_key.size();
        return n;
    }

private:
    static constexpr std::uint64_t kPruneEvery = 4096; /* get() calls between prunings */
    std::unordered_map<std::uint64_t, KernelLock> m_locks[kKernelLockClasses];
    std::uint64_t m_calls = 0;
};

}  // namespace mtesim
