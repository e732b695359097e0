// The kernel's own instructions on a page fault's path (docs/timing-model.md, "Kernel
// bookkeeping"): every fault pays kernel.fault_instructions (do_page_fault past its checks,
// handle_mm_fault and the walk's C around it), a first touch of an anonymous page also
// kernel.anon_fault_instructions (do_anonymous_page: memcg charge, PTE lock, rmap), each on the
// faulting core at its base CPI (configs/default.ini core.base_cpi: one instruction a cycle).
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <string>

using namespace mtesim;
using test::in_child;

namespace {

constexpr unsigned kPages = 64;

/* Kernel cycles of core 0 when one thread touches kPages new anonymous pages, with the two
   keys set to @fault and @anon instructions. */
std::uint64_t kernel_cycles(unsigned fault, unsigned anon) {
    return in_child<std::uint64_t>([&] {
        std::string body = "thread 1 core=0 process=1\n1 mmap 0x10000000 0x40000\n";
        for (unsigned i = 0; i < kPages; ++i) body += "1 st " + std::to_string(0x10000000 + i * 4096) + " 8\n";
        const RunResult r = test::run_text_trace(
            "fault_bookkeeping", body,
            {"kernel.fault_instructions=" + std::to_string(fault), "kernel.anon_fault_instructions=" + std::to_string(anon)});
        EXPECT_EQ(r.kernel.faults_anon, kPages);
        EXPECT_EQ(r.cores[0].page_faults, kPages);
        return r.cores[0].kernel_cycles;
    });
}

}  // namespace

TEST(FaultBookkeeping, EachAnonymousFirstTouchPaysTheFaultPathAndDoAnonymousPageOnce) {
    // Sizes large against the memory work's run-to-run effects (a few hundred cycles a fault),
    // so that the difference is the charge: one instruction a cycle, once per fault and key.
    const std::uint64_t none = kernel_cycles(0, 0);
    const std::uint64_t fault = kernel_cycles(4000, 0);
    const std::uint64_t anon = kernel_cycles(0, 3000);
    const double fault_each = static_cast<double>(fault - none) / kPages;
    const double anon_each = static_cast<double>(anon - none) / kPages;
    EXPECT_NEAR(fault_each, 4000.0, 200.0) << "kernel.fault_instructions once per fault at CPI 1";
    EXPECT_NEAR(anon_each, 3000.0, 150.0) << "kernel.anon_fault_instructions once per first touch at CPI 1";
}
