// KernelLockGuard: holds one kernel lock for a C++ scope (spin_lock ... spin_unlock,
// mmap_read_lock ... mmap_read_unlock), through IKernelMemory so that the simulation can time
// the wait and the hold; a functional run (no SystemC) ignores it.
#pragma once

#include "mtesim/mm/i_kernel_memory.h"
#include "mtesim/mm/kernel_lock_class.h"

namespace mtesim {

class KernelLockGuard {
public:
    KernelLockGuard(IKernelMemory &kmem, KernelLockClass cls, std::uint64_t key, LockMode mode = LockMode::exclusive)
        : m_kmem(kmem), m_cls(cls), m_key(key), m_mode(mode) {
        m_kmem.lock(m_cls, m_key, m_mode);
    }
    ~KernelLockGuard() { m_kmem.unlock(m_cls, m_key, m_mode); }
    KernelLockGuard(const KernelLockGuard &) = delete;
    KernelLockGuard &operator=(const KernelLockGuard &) = delete;

private:
    IKernelMemory &m_kmem;
    KernelLockClass m_cls;
    std::uint64_t m_key;
    LockMode m_mode;
};

}  // namespace mtesim
