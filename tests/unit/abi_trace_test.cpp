// The trace events of issue 17 (docs/trace-format.md, "MTE as Linux user space sees it" and
// "Assertions"): parsed with their operands, written back identically, carried by the binary
// format (values in a value record), and bad forms rejected with one line. Also the exec
// default include mask, si_addr's rule and PSTATE.TCO in the tag-check unit.
#include "mtesim/common/trace_error.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/mte/tag_check_unit.h"
#include "mtesim/trace/binary_trace_reader.h"
#include "mtesim/trace/binary_trace_writer.h"
#include "mtesim/trace/text_trace_reader.h"
#include "mtesim/trace/text_trace_writer.h"
#include "mtesim/trace/workload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

using namespace mtesim;

namespace {
std::string write_file(const std::string &text) {
    static int n = 0;
    const std::string path = "/tmp/mtesim-abi-" + std::to_string(getpid()) + "-" + std::to_string(n++);
    std::ofstream(path) << text;
    return path;
}

const std::string kTrace =
    "mtesim-trace 1\n"
    "thread 1 tcf=sync\n"
    "thread 2 tcf=async exclude=0x1\n"
    "1 st 0x80000000 8 value=0x1122334455667788\n"
    "1 expect_value 0x80000000 8 0x1122334455667788\n"
    "1 expect_tag 0x80000010 7\n"
    "1 expect_result -EFAULT\n"
    "1 expect_result 0x80000000\n"
    "1 expect_fault SEGV_MTESERR si_addr=0x80000010\n"
    "1 expect_fault none\n"
    "1 expect_fault SIGILL\n"
    "1 sigaction handler expose_tagbits\n"
    "1 sigaction default\n"
    "1 tco 1\n"
    "1 dc_zva 0x80000040\n"
    "1 dc_gva 0x80000040\n"
    "1 ldadd 0x80000000 8 value=0x5\n"
    "1 cas 0x80000000 4\n"
    "1 ldxr 0x80000000 2\n"
    "1 stxr 0x80000000 1 value=0x9\n"
    "1 ldgm 0x80000000\n"
    "1 stgm 0x80000000\n";

std::vector<TraceEvent> read_all(const std::string &path) {
    TextTraceReader r(path);
    std::vector<TraceEvent> out;
    TraceEvent ev;
    while (r.next(ev)) out.push_back(ev);
    return out;
}

std::string as_text(IEventSource &src) {
    std::ostringstream o;
    TextTraceWriter w(o);
    TraceEvent ev;
    while (src.next(ev)) w.write(ev, [&](std::uint32_t id) { return src.name_of(id); });
    return o.str();
}

std::string error_of(const std::string &line) {
    try {
        read_all(write_file("mtesim-trace 1\nthread 1\n" + line + "\n"));
    } catch (const TraceError &e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST(AbiTrace, NewEventsParseWithTheirOperands) {
    const auto ev = read_all(write_file(kTrace));
    ASSERT_EQ(ev.size(), 21u);
    EXPECT_EQ(ev[0].aux & kThreadMaskGiven, 0u) << "no exclude=: the exec default";
    EXPECT_EQ(ev[1].aux, static_cast<std::uint32_t>(TcfMode::async) | (1u << 8) | kThreadMaskGiven);
    EXPECT_EQ(ev[2].op, TraceOp::store);
    EXPECT_TRUE(ev[2].has_value);
    EXPECT_EQ(ev[2].value, 0x1122334455667788ull);
    EXPECT_EQ(ev[3].op, TraceOp::expect_value);
    EXPECT_EQ(ev[3].arg, 8u);
    EXPECT_EQ(ev[4].op, TraceOp::expect_tag);
    EXPECT_EQ(ev[4].aux, 7u);
    EXPECT_EQ(static_cast<std::int64_t>(ev[5].value), -14);
    EXPECT_EQ(ev[6].value, 0x80000000u);
    EXPECT_EQ(ev[7].aux, static_cast<std::uint32_t>(FaultKind::tag_sync));
    EXPECT_TRUE(ev[7].has_value);
    EXPECT_EQ(ev[8].aux, kExpectNoFault);
    EXPECT_EQ(ev[9].aux, static_cast<std::uint32_t>(FaultKind::illegal));
    EXPECT_EQ(ev[10].aux, 3u);
    EXPECT_EQ(ev[11].aux, 0u);
    EXPECT_EQ(ev[12].op, TraceOp::tco);
    EXPECT_EQ(ev[15].aux, static_cast<std::uint32_t>(AtomicKind::ldadd));
    EXPECT_EQ(ev[16].arg, 4u);
    EXPECT_FALSE(ev[16].has_value);
    EXPECT_EQ(ev[19].op, TraceOp::ldgm);
    EXPECT_EQ(ev[20].aux, 1u);
}

TEST(AbiTrace, TextAndBinaryRoundTripExactly) {
    TextTraceReader a(write_file(kTrace));
    const std::string text = as_text(a);
    TextTraceReader b(write_file(text));
    EXPECT_EQ(as_text(b), text);
    const std::string bin = "/tmp/mtesim-abi-" + std::to_string(getpid()) + ".mtb";
    {
        TextTraceReader c(write_file(text));
        BinaryTraceWriter w(bin, false);
        TraceEvent ev;
        while (c.next(ev)) w.write(ev, [&](std::uint32_t id) { return c.name_of(id); });
        w.close();
    }
    BinaryTraceReader r(bin);
    EXPECT_EQ(as_text(r), text);
}

TEST(AbiTrace, BadFormsAreOneLineErrors) {
    EXPECT_NE(error_of("1 expect_tag 0x80000000 16").find("bad tag"), std::string::npos);
    EXPECT_NE(error_of("1 expect_result -EWHAT").find("bad result"), std::string::npos);
    EXPECT_NE(error_of("1 expect_fault SEGV_OOPS").find("bad fault kind"), std::string::npos);
    EXPECT_NE(error_of("1 expect_fault none si_addr=0").find("si_addr"), std::string::npos);
    EXPECT_NE(error_of("1 sigaction default expose_tagbits").find("bad flag"), std::string::npos);
    EXPECT_NE(error_of("1 ldadd 0x80000000 3").find("bad size"), std::string::npos);
    EXPECT_NE(error_of("1 ldxr 0x80000000 8 value=1").find("ldxr takes no value"), std::string::npos);
    EXPECT_NE(error_of("1 ld 0x80000000 8 value=1").find("expected gap=N, dep=K or mispredict=M"), std::string::npos);
    EXPECT_NE(error_of("1 tco 2").find("PSTATE.TCO"), std::string::npos);
    EXPECT_NE(error_of("1 expect_value q 8 0").find("unknown pointer 'q'"), std::string::npos);
}

TEST(AbiTrace, AThreadWithoutAMaskHasTheExecDefault) {
    // memory-tagging-extension.rst: after exec PR_MTE_TAG_MASK is 0 (every tag excluded).
    Workload w(std::make_unique<TextTraceReader>(write_file("mtesim-trace 1\nthread 1\nthread 2 exclude=0x1\n")));
    std::vector<ThreadInfo> seen;
    w.set_listener([&](const ThreadInfo *t) {
        if (t) seen.push_back(*t);
    });
    while (w.pump()) {
    }
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].exclude, 0xffff);
    EXPECT_FALSE(seen[0].mask_set);
    EXPECT_EQ(seen[1].exclude, 0x0001);
    EXPECT_TRUE(seen[1].mask_set);
    MteThreadState s; /* a thread never given a mask: IRG gives tag 0 whatever the RNG */
    for (int i = 0; i < 64; ++i) EXPECT_EQ(TagCheckUnit::irg(s, 0), 0);
}

TEST(AbiTrace, SiAddrAndTco) {
    EXPECT_EQ(linux_si_addr(0xf300000080000010ull, false), 0x80000010ull);
    EXPECT_EQ(linux_si_addr(0xf300000080000010ull, true), 0x0300000080000010ull);
    MteThreadState s;
    s.tcf = TcfMode::sync;
    EXPECT_TRUE(TagCheckUnit::checking(s));
    s.tco = true;
    EXPECT_FALSE(TagCheckUnit::checking(s));
    // An async mismatch by a store is remembered as a write.
    MteThreadState a;
    a.tcf = TcfMode::async;
    TagCheckUnit::on_mismatch(a, true);
    EXPECT_TRUE(a.tfsr);
    EXPECT_TRUE(a.tfsr_write);
}
