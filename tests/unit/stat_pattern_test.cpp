// StatPattern (`mtesim compare --stat`): exact names, one '*' for any run of characters, the sum
// of the matches, and malformed patterns refused.
#include "app/stat_pattern.h"

#include "mtesim/common/config_error.h"

#include <gtest/gtest.h>

using mtesim::ConfigError;
using mtesim::StatPattern;

TEST(StatPattern, ExactNamesAndOneWildcardSumTheirMatches) {
    const std::map<std::string, double> stats = {{"board.cpu@0.kernel_cycles", 10},    {"board.cpu@1.kernel_cycles", 5},
                                                 {"board.cpu@1.kernel_cycles_x", 100}, {"board.cpu@10.kernel_cycles", 1},
                                                 {"mm.ipis", 7},                       {"board.l2.kernel_cycles", 1000}};
    EXPECT_EQ(StatPattern("mm.ipis", "--stat").sum(stats), 7.0);
    EXPECT_EQ(StatPattern("board.cpu@*.kernel_cycles", "--stat").sum(stats), 16.0) << "not the _x one, not board.l2";
    EXPECT_EQ(StatPattern("*.kernel_cycles", "--stat").sum(stats), 1016.0);
    EXPECT_EQ(StatPattern("board.cpu@1.*", "--stat").sum(stats), 105.0);
    EXPECT_FALSE(StatPattern("mm.nope", "--stat").sum(stats).has_value());
    EXPECT_FALSE(StatPattern("board.cpu@*.nope", "--stat").sum(stats).has_value());
    EXPECT_TRUE(StatPattern("board.cpu@*.kernel_cycles", "--stat").matches("board.cpu@7.kernel_cycles"));
    EXPECT_FALSE(StatPattern("board.cpu@*.kernel_cycles", "--stat").matches("board.cpu@.kernel_cycle"));
}

TEST(StatPattern, MalformedPatternsAreRefused) {
    for (const char *bad : {"", "a*b*c", "mm.ipis;rm", "a b"}) {
        try {
            StatPattern(bad, "mtesim compare: --stat");
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const ConfigError &e) {
            EXPECT_NE(std::string(e.what()).find("mtesim compare: --stat '"), std::string::npos) << e.what();
        }
    }
}
