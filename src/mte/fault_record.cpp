// Names of fault kinds as reports and faults.csv print them.
#include "mtesim/mte/fault_record.h"

#include <string>

namespace mtesim {

const char *fault_kind_name(FaultKind kind) {
    switch (kind) {
    case FaultKind::tag_sync: return "SEGV_MTESERR";
    case FaultKind::tag_async: return "SEGV_MTEAERR";
    case FaultKind::maperr: return "SEGV_MAPERR";
    case FaultKind::alignment: return "BUS_ADRALN";
    case FaultKind::bus_error: return "BUS_ADRERR";
    case FaultKind::heap_double_free: return "HEAP_DOUBLE_FREE";
    case FaultKind::heap_invalid_free: return "HEAP_INVALID_FREE";
    case FaultKind::accerr: return "SEGV_ACCERR";
    case FaultKind::illegal: return "ILL_ILLOPC";
    }
    return "?";
}

bool parse_fault_kind(const char *b, const char *e, FaultKind &out) {
    const std::string s(b, e);
    if (s == "SIGILL") {
        out = FaultKind::illegal;
        return true;
    }
    for (unsigned k = 0; k < kFaultKinds; ++k)
        if (s == fault_kind_name(static_cast<FaultKind>(k))) {
            out = static_cast<FaultKind>(k);
            return true;
        }
    return false;
}

const char *fault_access_name(const FaultRecord &f) {
    if (f.kind == FaultKind::heap_double_free || f.kind == FaultKind::heap_invalid_free) return "free";
    return f.write ? "write" : "read";
}

}  // namespace mtesim
