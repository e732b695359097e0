// FaultRecord: one fault a thread took: a tag check fault (sync, with its address; async,
// without), an unmapped access (SEGV_MAPERR), a misaligned tag store or a bus error. Faults are
// modelled results: collected per run, printed by `mtesim run` and written to faults.csv.
#pragma once

#include "mtesim/trace/trace_event.h"

#include <cstdint>

namespace mtesim {

enum class FaultKind : std::uint8_t {
    tag_sync,    /* SIGSEGV SEGV_MTESERR: precise, access suppressed */
    tag_async,   /* SIGSEGV SEGV_MTEAERR: reported at a kernel entry, no address */
    maperr,      /* SIGSEGV SEGV_MAPERR: no mapping */
    alignment,   /* SIGBUS BUS_ADRALN: a tag store not 16-byte aligned */
    bus_error,   /* SIGBUS: the interconnect found no target */
    heap_double_free,  /* the heap found the chunk already free (Scudo: invalid chunk state, abort) */
    heap_invalid_free, /* free of an address that is no chunk start (Scudo: misaligned/corrupted header, abort) */
};

struct FaultRecord {
    std::uint64_t time_ps = 0;   /* simulated time of the report, in ps */
    std::uint32_t core = 0;
    std::uint32_t thread = 0;
    FaultKind kind = FaultKind::tag_sync;
    bool has_address = false;
    std::uint64_t address = 0;   /* faulting virtual address, with its logical tag */
    bool write = false;
    TcfMode mode = TcfMode::none;
    std::uint64_t position = 0;  /* trace line (text) or event index (binary) */
};

const char *fault_kind_name(FaultKind kind);
/// The access column of a fault: "read", "write", or "free" for the heap's faults.
const char *fault_access_name(const FaultRecord &f);

}  // namespace mtesim
