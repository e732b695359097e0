// Names of migratetypes as /proc/pagetypeinfo prints them.
#include "mtesim/mm/migrate_type.h"

namespace mtesim {

const char *migrate_type_name(MigrateType mt) {
    switch (mt) {
    case MigrateType::unmovable: return "Unmovable";
    case MigrateType::movable: return "Movable";
    case MigrateType::reclaimable: return "Reclaimable";
    case MigrateType::highatomic: return "HighAtomic";
    case MigrateType::cma: return "CMA";
    case MigrateType::isolate: return "Isolate";
    }
    return "?";
}

}  // namespace mtesim
