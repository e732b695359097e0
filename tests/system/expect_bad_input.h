// The exit-2 contract of bad input (developers' guide, "Bad input"), shared by the system tests.
#pragma once

#include "run_mtesim.h"

#include <gtest/gtest.h>

#include <string>

namespace mtesim::systest {

/// Status 2, no stdout, exactly one line on stderr starting with @prefix.
inline void expect_bad_input(const Result &r, const std::string &prefix) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << "stdout: " << r.out;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "stderr must be one line: " << r.err;
    EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << "stderr: " << r.err;
}

}  // namespace mtesim::systest
