// KernelLockClass: the kinds of kernel lock whose contention the simulator models, as Linux
// names them, and the two ways of holding one (a spinlock or mutex is exclusive; the mmap
// lock is a reader/writer semaphore). The kernel model names a lock by its class and a key
// (which zone, which process, which PTE-table page) through IKernelMemory::lock/unlock; what
// holding it costs in time is the simulation's business (KernelLock, SystemCallGate).
#pragma once

#include <cstdint>

namespace mtesim {

enum class KernelLockClass : std::uint8_t {
    zone,        /* zone->lock (spinlock): buddy lists, per-CPU list refill and drain in batches */
    mmap,        /* mm->mmap_lock (rw_semaphore): read for page faults, write for mmap/munmap/mprotect */
    page_table,  /* split page-table lock (pte_lockptr): one per PTE-table page */
    lruvec,      /* lruvec->lru_lock (spinlock): LRU list insertion (lru_add_drain) */
    tag_storage, /* the RFC's tag_blocks_lock (mutex) around reserve_tag_storage */
};
inline constexpr unsigned kKernelLockClasses = 5;

/// The stats name of a lock class.
inline const char *kernel_lock_class_name(KernelLockClass c) {
    static const char *names[kKernelLockClasses] = {"zone", "mmap", "page_table", "lruvec", "tag_storage"};
    return names[static_cast<unsigned>(c)];
}

enum class LockMode : std::uint8_t {
    exclusive, /* a spinlock, a mutex, or a rw_semaphore taken for writing */
    shared,    /* a rw_semaphore taken for reading: readers share, a writer excludes them */
};

}  // namespace mtesim
