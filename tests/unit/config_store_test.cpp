// ConfigStore and ConfigLoader: layering, typed reads with the source named in errors, unknown
// keys with a suggestion, presets.
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_config.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST(ConfigStore, LaterLayersWin) {
    ConfigStore s;
    s.load_ini_text("[a]\nx = 1\ny = 2\n", "defaults.ini", ConfigStore::Layer::defaults);
    s.load_ini_text("[a]\nx = 3\n", "user.ini", ConfigStore::Layer::user_file);
    s.set_from_command_line("a.y=5");
    s.load_ini_text("[a]\nx = 9\ny = 9\n", "preset.ini", ConfigStore::Layer::preset); /* below the user's */
    EXPECT_EQ(s.get_u64("a.x", 0, "count", "x"), 3u);
    EXPECT_EQ(s.get_u64("a.y", 0, "count", "y"), 5u);
    EXPECT_EQ(s.get_u64("a.z", 7, "count", "z"), 7u);
}

TEST(ConfigStore, TypeAndRangeErrorsNameFileAndKey) {
    ConfigStore s;
    s.load_ini_text("[dram]\ntRCD = fast\nratio = 1.5x\nflag = perhaps\n", "my.ini", ConfigStore::Layer::user_file);
    EXPECT_EQ(error_of([&] { s.get_u64("dram.tRCD", 1, "tCK", "d"); }),
              "my.ini: dram.tRCD = 'fast', expected an unsigned integer (tCK)");
    EXPECT_NE(error_of([&] { s.get_double("dram.ratio", 1, "x", "d"); }).find("expected a number"), std::string::npos);
    EXPECT_NE(error_of([&] { s.get_bool("dram.flag", true, "d"); }).find("expected true or false"), std::string::npos);
    s.set_from_command_line("dram.banks=0");
    EXPECT_EQ(error_of([&] { s.get_u64("dram.banks", 1, "count", "d", 1, 64); }),
              "--set: dram.banks = '0', expected a value in [1, 64] (count)");
    s.set_from_command_line("x.mode=fast");
    EXPECT_NE(error_of([&] { s.get_string("x.mode", "a", "d", {"a", "b"}); }).find("expected one of: a|b"), std::string::npos);
}

TEST(ConfigStore, UnknownKeySuggestsTheClosest) {
    ConfigStore s;
    s.set_from_command_line("dram.tRDC=3");
    s.get_u64("dram.tRCD", 1, "tCK", "d");
    s.get_u64("dram.tRP", 1, "tCK", "d");
    EXPECT_EQ(error_of([&] { s.check_unknown_keys(); }), "--set: unknown key 'dram.tRDC', did you mean 'dram.tRCD'?");
}

TEST(ConfigStore, MalformedInputIsAnError) {
    ConfigStore s;
    EXPECT_NE(error_of([&] { s.set_from_command_line("novalue"); }).find("expected section.key=value"), std::string::npos);
    EXPECT_NE(error_of([&] { s.set_from_command_line("nosection=1"); }).find("expected section.key=value"), std::string::npos);
    EXPECT_NE(error_of([&] { s.load_ini_text("[a]\nthis is not ini\n", "bad.ini", ConfigStore::Layer::user_file); })
                  .rfind("bad.ini: ", 0),
              std::string::npos);
    EXPECT_NE(error_of([&] { s.load_ini_text("x = 1\n", "top.ini", ConfigStore::Layer::user_file); }).find("outside any [section]"),
              std::string::npos);
    EXPECT_NE(error_of([&] { s.load_ini_file("/no/such.ini"); }).find("/no/such.ini: cannot open"), std::string::npos);
}

TEST(ConfigLoader, EveryPresetResolvesAndCitesItsValues) {
    for (const auto &name : ConfigLoader::dram_presets()) {
        ConfigStore s = ConfigLoader::with_dram_preset(ConfigLoader::load({}, {}), name, "test");
        const DramConfig c = DramConfig::resolve(s);
        EXPECT_EQ(c.preset, name);
        EXPECT_GT(c.peak_bytes_per_second(), 1e9) << name;
    }
    EXPECT_GE(ConfigLoader::dram_presets().size(), 3u);
    EXPECT_NE(error_of([] { ConfigLoader::with_dram_preset(ConfigStore(), "ddr9", "board.dts: /dram"); })
                  .find("board.dts: /dram: unknown DRAM preset 'ddr9', expected one of: "),
              std::string::npos);
}

TEST(DramConfig, ImpossibleGeometryAndTimingAreErrors) {
    auto resolve = [](std::vector<std::string> sets) {
        ConfigStore s = ConfigLoader::with_dram_preset(ConfigLoader::load({}, sets), "ddr4-3200", "t");
        return DramConfig::resolve(s);
    };
    EXPECT_NE(error_of([&] { resolve({"dram.banks_per_group=0"}); }).find("expected a value in [1"), std::string::npos);
    EXPECT_NE(error_of([&] { resolve({"dram.banks_per_group=3"}); }).find("expected a power of two"), std::string::npos);
    EXPECT_NE(error_of([&] { resolve({"dram.tRFC=20000"}); }).find("tRFC + tRP < tREFI"), std::string::npos);
    EXPECT_NE(error_of([&] { resolve({"dram.address_mapping=RoRoBaCoBgCh"}); }).find("each of Ch Ra Bg Ba Ro Co once"),
              std::string::npos);
}
