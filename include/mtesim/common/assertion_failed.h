// AssertionFailed: an assertion of a workload trace (expect_value, expect_tag, expect_result,
// expect_fault; docs/trace-format.md, "Assertions") found something other than what it
// expected. The message is the one line the user sees: "<trace>:<line>: <assertion>: expected
// <x>, found <y>". The command line prints it and exits with status 1: the model ran, and the
// behaviour is not the one the trace asserts (bad input, status 2, is a TraceError).
#pragma once

#include <stdexcept>
#include <string>

namespace mtesim {

class AssertionFailed : public std::runtime_error {
public:
    explicit AssertionFailed(const std::string &message) : std::runtime_error(message) {}
};

}  // namespace mtesim
