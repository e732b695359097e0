// KernelLockTable: see the header.
#include "mtesim/kernel/kernel_lock_table.h"

namespace mtesim {

KernelLock &KernelLockTable::get(KernelLockClass cls, std::uint64_t key) {
    ++m_calls;
    return m_locks[static_cast<unsigned>(cls)][key];
}

void KernelLockTable::maybe_forget_before(std::uint64_t horizon_ps) {
    if (m_calls < kPruneEvery) return;
    m_calls = 0;
    for (auto &by_key : m_locks)
        for (auto it = by_key.begin(); it != by_key.end();) {
            it->second.forget_before(horizon_ps);
            it = it->second.holds() ? std::next(it) : by_key.erase(it);
        }
}

}  // namespace mtesim
