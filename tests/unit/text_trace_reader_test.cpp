// TextTraceReader: the events of docs/trace-format.md and every error path (truncated file,
// unknown event, bad number, unknown pointer, thread never created or exited).
#include "mtesim/common/trace_error.h"
#include "mtesim/trace/text_trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace mtesim;

namespace {

std::string write(const std::string &text) {
    static int n = 0;
    const std::string path = "/tmp/mtesim-ttr-" + std::to_string(getpid()) + "-" + std::to_string(n++);
    std::ofstream(path) << text;
    return path;
}

std::vector<TraceEvent> read_all(const std::string &text) {
    TextTraceReader r(write(text));
    std::vector<TraceEvent> out;
    TraceEvent ev;
    while (r.next(ev)) out.push_back(ev);
    return out;
}

std::string error_of(const std::string &text) {
    try {
        read_all(text);
    } catch (const TraceError &e) {
        return e.what();
    }
    return "(no error)";
}

const std::string kHead = "mtesim-trace 1\nthread 1 core=0 tcf=async exclude=0x1\n";

}  // namespace

TEST(TextTraceReader, ParsesEveryEvent) {
    auto v = read_all(kHead +
                      "# a comment\n"
                      "1 mmap 0x80000000 0x10000 mte\n"
                      "1 irg p 0x80000000 exclude=0x3 gmi\n"
                      "1 addg q p 32 2\n"
                      "1 subg r q 16 1\n"
                      "1 ldg s p\n"
                      "1 ld p+24 8   # trailing comment\n"
                      "1 st q-16 4\n"
                      "1 stg p\n1 st2g p\n1 stzg p\n1 stz2g p\n1 dc_gzva p\n"
                      "1 compute 100\n1 prctl tcf=sync\n1 syscall\n1 yield\n1 exit\n");
    ASSERT_EQ(v.size(), 18u);
    EXPECT_EQ(v[0].op, TraceOp::thread_create);
    EXPECT_EQ(v[0].arg, 0u);
    EXPECT_EQ(v[0].aux, static_cast<std::uint32_t>(TcfMode::async) | (1u << 8));
    EXPECT_EQ(v[1].op, TraceOp::mmap);
    EXPECT_EQ(v[1].aux, 1u);
    EXPECT_EQ(v[2].op, TraceOp::irg);
    EXPECT_EQ(v[2].arg, 3u);
    EXPECT_EQ(v[2].aux, 1u);
    EXPECT_EQ(v[3].op, TraceOp::addg);
    EXPECT_EQ(v[3].arg, 32u);
    EXPECT_EQ(v[3].aux, 2u);
    EXPECT_EQ(v[6].op, TraceOp::load);
    EXPECT_EQ(v[6].src.offset, 24);
    EXPECT_EQ(v[6].arg, 8u);
    EXPECT_EQ(v[6].position, 9u);
    EXPECT_EQ(v[7].src.offset, -16);
    EXPECT_EQ(v[14].op, TraceOp::prctl);
    EXPECT_EQ(v[14].arg, 1u); /* only tcf set */
    EXPECT_EQ(v[17].op, TraceOp::exit);
}

TEST(TextTraceReader, ErrorPaths) {
    EXPECT_NE(error_of("").find("empty trace, expected the header"), std::string::npos);
    EXPECT_NE(error_of("thread 1\n").find(":1: 'thread 1': missing header"), std::string::npos);
    EXPECT_NE(error_of("mtesim-trace 2\n").find("unsupported version"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 jump 0x10\n").find(":3: '1 jump 0x10': unknown event 'jump'"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x1g 8\n").find("bad address"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x10 eight\n").find("bad size"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x10 0\n").find("bad size 0"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x10 8192\n").find("bad size"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld h17+24 8\n").find("unknown pointer 'h17'"), std::string::npos);
    EXPECT_NE(error_of(kHead + "2 ld 0x10 8\n").find("thread 2 was never created"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 exit\n1 ld 0x10 8\n").find("thread 1 has exited"), std::string::npos);
    EXPECT_NE(error_of(kHead + "thread 1\n").find("thread 1 already exists"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 prctl tcf=maybe\n").find("bad tcf"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 addg q 0x10 8 1\n").find("multiple of 16"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x80000000 0\n").find("bad length 0"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x80000800 0x1000\n").find("page-aligned"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 compute\n").find("wrong number of fields"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 irg 9p 0x10\n").find("bad pointer name"), std::string::npos);
    EXPECT_NE(error_of("mtesim-trace 1\nthread 1 core=x\n").find("bad core"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x10 8 9 9 9 9 9 9 9\n").find("too many fields"), std::string::npos);
}

TEST(TextTraceReader, TruncatedLastLineStillParsesOrFails) {
    // A last line without '\n' is read; a line cut mid-token is a clear error.
    EXPECT_EQ(read_all(kHead + "1 ld 0x10 8").size(), 2u);
    EXPECT_NE(error_of(kHead + "1 ld 0x10").find("wrong number of fields"), std::string::npos);
}
