// MmError: a caller misused the page allocator API (an impossible order, freeing a block that
// is not allocated). A simulated workload never reaches it: the kernel model validates its
// requests first; tests check that the API refuses clearly.
#pragma once

#include <stdexcept>
#include <string>

namespace mtesim {

class MmError : public std::logic_error {
public:
    explicit MmError(const std::string &message) : std::logic_error(message) {}
};

}  // namespace mtesim
