// CoreConfig::resolve: the out-of-order keys and their consistency checks (one line naming the
// key, as a ConfigError).
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/cpu/core_config.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
std::string error_of(std::vector<std::string> sets) {
    try {
        ConfigStore s = ConfigLoader::load({}, sets);
        CoreConfig::resolve(s);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST(CoreConfig, OutOfOrderKeys) {
    ConfigStore s = ConfigLoader::load({}, {"core.model=ooo", "core.rob_entries=224", "core.dispatch_width=6", "l1d.mshrs=20"});
    const CoreConfig c = CoreConfig::resolve(s);
    EXPECT_TRUE(c.out_of_order);
    EXPECT_EQ(c.rob_entries, 224u);
    EXPECT_EQ(c.dispatch_width, 6u);
    EXPECT_EQ(c.l1d_mshrs, 20u);
    ConfigStore d = ConfigLoader::load({}, {});
    EXPECT_FALSE(CoreConfig::resolve(d).out_of_order) << "in order by default";
}

TEST(CoreConfig, InconsistentWindowIsAnError) {
    EXPECT_NE(error_of({"core.rob_entries=2", "core.dispatch_width=4"}).find("core.rob_entries"), std::string::npos);
    EXPECT_NE(error_of({"l1d.mshrs=0"}).find("l1d.mshrs"), std::string::npos);
    EXPECT_NE(error_of({"llc.mshrs=0"}).find("llc.mshrs"), std::string::npos);
    EXPECT_NE(error_of({"core.store_buffer=0"}).find("core.store_buffer"), std::string::npos);
    EXPECT_NE(error_of({"core.model=fast"}).find("core.model"), std::string::npos);
    EXPECT_NE(error_of({"kernel.tlbi_page_cycles=601"}).find("kernel.tlbi_page_cycles"), std::string::npos) << "more than a whole flush";
    EXPECT_EQ(error_of({"kernel.tlbi_page_cycles=600"}), "(no error)") << "a whole flush a page: no overlap at all";
    EXPECT_NE(error_of({"core.load_pipes=3", "core.load_store_pipes=2"}).find("core.load_pipes"), std::string::npos);
    EXPECT_NE(error_of({"core.store_pipes=3", "core.load_store_pipes=2"}).find("core.store_pipes"), std::string::npos);
    EXPECT_EQ(error_of({"core.load_pipes=2", "core.store_pipes=2", "core.load_store_pipes=2"}), "(no error)")
        << "kinds' pipelines up to the shared count are consistent";
}
