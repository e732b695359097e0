// ProcessTable: the kernel model's processes by pid (the task list reduced to what the model
// needs): each process's address space, its thread counts, whether the OOM killer took it,
// and its resident and swapped anonymous pages (oom_badness). It also keeps the page-table
// totals of address spaces already torn down, so that the stats cover the whole run. No
// simulated cost: the work on processes (exit_mmap, the OOM killer) is the Kernel's.
#pragma once

#include "mtesim/common/oom_score_adj.h"
#include "mtesim/kernel/address_space.h"
#include "mtesim/kernel/file_readahead.h"

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>

namespace mtesim {

class ProcessTable {
public:
    struct Process {
        std::uint32_t pid = 0;
        std::unique_ptr<AddressSpace> mm;
        std::uint32_t threads = 0;          /* created and not ended */
        std::uint32_t unstarted = 0;        /* of those, announced but not started */
        bool killed = false;
        std::uint64_t anon_pages = 0;       /* resident anonymous pages */
        std::uint64_t swap_pages = 0;       /* its pages in swap */
        std::int32_t oom_score_adj = 0;     /* /proc/PID/oom_score_adj: -1000 (never killed) .. 1000 */
        /* the file_ra_state of each file it has read or faulted on (file id -> readahead state,
         * the byte after its last read among it): the model has no open file descriptions, so
         * one per process and file, which read(2) and the file's mappings share */
        std::unordered_map<std::uint32_t, FileRaState> file_ra;
    };
    using Map = std::map<std::uint32_t, std::unique_ptr<Process>>;

    /// The process @pid, made (no address space yet) if it does not exist.
    Process &get_or_create(std::uint32_t pid) {
        auto &p = m_procs[pid];
        if (!p) {
            p = std::make_unique<Process>();
            p->pid = pid;
        }
        return *p;
    }
    /// The process @pid if it exists, killed or not.
    Process *find(std::uint32_t pid) {
        auto it = m_procs.find(pid);
        return it == m_procs.end() ? nullptr : it->second.get();
    }
    const Process *find(std::uint32_t pid) const {
        auto it = m_procs.find(pid);
        return it == m_procs.end() ? nullptr : it->second.get();
    }
    /// The process @pid if it runs: not killed, with its address space.
    Process *live(std::uint32_t pid) {
        Process *p = find(pid);
        return p && !p->killed && p->mm ? p : nullptr;
    }
    /// @pid while its address space exists, killed or not (an OOM victim keeps its mm until its
    /// exit: reclaim and migration still unmap and repoint its pages, as Linux's rmap walks do).
    Process *with_mm(std::uint32_t pid) {
        Process *p = find(pid);
        return p && p->mm ? p : nullptr;
    }
    /// Forgets @pid (its last thread ended): a later thread of this pid starts a new process.
    void erase(std::uint32_t pid) { m_procs.erase(pid); }

    Map &all() { return m_procs; }
    const Map &all() const { return m_procs; }
    std::uint64_t size() const { return m_procs.size(); }

    /// An address space is torn down: its page-table totals join the past ones.
    void retire(const AddressSpace &mm) {
        m_past_tables_allocated += mm.tables_allocated();
        m_past_tables_freed += mm.tables_freed();
    }
    /// Page tables allocated / freed over the run, live address spaces included.
    std::uint64_t tables_allocated() const {
        std::uint64_t n = m_past_tables_allocated;
        for (const auto &[pid, p] : m_procs)
            if (p->mm) n += p->mm->tables_allocated();
        return n;
    }
    std::uint64_t tables_freed() const {
        std::uint64_t n = m_past_tables_freed;
        for (const auto &[pid, p] : m_procs)
            if (p->mm) n += p->mm->tables_freed();
        return n;
    }

private:
    Map m_procs;
    std::uint64_t m_past_tables_allocated = 0, m_past_tables_freed = 0; /* of torn-down address spaces */
};

}  // namespace mtesim
