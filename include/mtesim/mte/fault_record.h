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
    accerr,      /* SIGSEGV SEGV_ACCERR: a write (a store, STG...) to a read-only mapping */
    illegal,     /* SIGILL ILL_ILLOPC: an instruction undefined at EL0 (LDGM, STGM) */
};
inline constexpr unsigned kFaultKinds = 9;
/// The kind named @name (fault_kind_name, or "SIGILL" for illegal); false when none is.
bool parse_fault_kind(const char *b, const char *e, FaultKind &out);

struct FaultRecord {
    std::uint64_t time_ps = 0;   /* simulated time of the report, in ps */
    std::uint32_t core = 0;
    std::uint32_t thread = 0;
    FaultKind kind = FaultKind::tag_sync;
    bool has_address = false;
    std::uint64_t address = 0;   /* faulting virtual address as the instruction used it, with its logical tag */
    /* What Linux puts in siginfo's si_addr (memory-tagging-extension.rst, "Tag Check Faults"
     * and SA_EXPOSE_TAGBITS in sigaction(2)): the address with its top byte cleared, or with
     * bits 59:56 kept when the handler was installed with SA_EXPOSE_TAGBITS; 0 for
     * SEGV_MTEAERR (an async fault has no address). Heap faults: the pointer freed. */
    std::uint64_t signal_addr = 0; /* si_addr (a macro of <signal.h>, hence the name) */
    bool write = false;
    TcfMode mode = TcfMode::none;
    std::uint64_t position = 0;  /* trace line (text) or event index (binary) */
    std::uint64_t line = 0;      /* trace line of the event (text traces), 0 for binary traces */
    std::uint64_t index = 0;     /* event index in the trace, from 1 (thread creations count) */
};

/// si_addr of a fault at @addr: Linux clears the top byte (bits 63:56) unless the handler has
/// SA_EXPOSE_TAGBITS, which keeps bits 59:56 (63:60 are UNKNOWN in FAR_EL1 and cleared).
inline std::uint64_t linux_si_addr(std::uint64_t addr, bool expose_tagbits) {
    return addr & (expose_tagbits ? 0x0fffffffffffffffull : 0x00ffffffffffffffull);
}

const char *fault_kind_name(FaultKind kind);
/// The access column of a fault: "read", "write", or "free" for the heap's faults.
const char *fault_access_name(const FaultRecord &f);

}  // namespace mtesim
