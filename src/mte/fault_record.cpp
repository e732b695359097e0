// Names of fault kinds as reports and faults.csv print them.
#include "mtesim/mte/fault_record.h"

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
    }
    return "?";
}

const char *fault_access_name(const FaultRecord &f) {
    if (f.kind == FaultKind::heap_double_free || f.kind == FaultKind::heap_invalid_free) return "free";
    return f.write ? "write" : "read";
}

}  // namespace mtesim
