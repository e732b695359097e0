// DramTraceReader: the three foreign formats, detection, and every error path naming file and
// line.
#include "mtesim/common/trace_error.h"
#include "mtesim/dram/dram_trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace mtesim;

namespace {

std::string write(const std::string &name, const std::string &text) {
    const std::string path = "/tmp/mtesim-dtr-" + std::to_string(getpid()) + "-" + name;
    std::ofstream(path) << text;
    return path;
}

std::vector<DramRequest> read_all(const std::string &path, DramTraceReader::Format f = DramTraceReader::Format::auto_detect,
                                  DramTraceReader::Format *detected = nullptr) {
    DramTraceReader r(path, f);
    std::vector<DramRequest> out;
    DramRequest q;
    while (r.next(q)) out.push_back(q);
    if (detected) *detected = r.format();
    return out;
}

std::string error_of(const std::string &text) {
    const std::string path = write("bad", text);
    try {
        read_all(path);
    } catch (const TraceError &e) {
        std::remove(path.c_str());
        return e.what();
    }
    std::remove(path.c_str());
    return "";
}

}  // namespace

TEST(DramTraceReader, Dramsim3) {
    DramTraceReader::Format f;
    auto v = read_all(write("d3", "# comment\n0x1000 READ 5\n\n0x2040 WRITE 7\n4096 read 9\n"), DramTraceReader::Format::auto_detect, &f);
    EXPECT_EQ(f, DramTraceReader::Format::dramsim3);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].addr, DramAddr(0x1000));
    EXPECT_FALSE(v[0].write);
    EXPECT_EQ(v[0].cycle, 5u);
    EXPECT_TRUE(v[1].write);
    EXPECT_TRUE(v[1].timed);
}

TEST(DramTraceReader, Ramulator) {
    DramTraceReader::Format f;
    auto v = read_all(write("ra", "LD 0x40\nST 0x80\nLD 192"), DramTraceReader::Format::auto_detect, &f);
    EXPECT_EQ(f, DramTraceReader::Format::ramulator);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_TRUE(v[1].write);
    EXPECT_FALSE(v[0].timed);
    EXPECT_EQ(v[2].addr, DramAddr(192));
}

TEST(DramTraceReader, Dramsys) {
    DramTraceReader::Format f;
    auto v = read_all(write("ds", "0:\tread\t0x0\n10:\twrite\t0x400140\tdeadbeef\n"), DramTraceReader::Format::auto_detect, &f);
    EXPECT_EQ(f, DramTraceReader::Format::dramsys);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[1].cycle, 10u);
    EXPECT_EQ(v[1].addr, DramAddr(0x400140));
    EXPECT_TRUE(v[1].write);
}

TEST(DramTraceReader, ErrorsNameFileLineAndExpectation) {
    EXPECT_NE(error_of("0x40 READ 1\n0x80 FETCH 2\n").find(":2: '0x80 FETCH 2': bad command, expected READ or WRITE"), std::string::npos);
    EXPECT_NE(error_of("0x40 READ 5\n0x80 READ 2\n").find(":2: '0x80 READ 2': cycle goes backwards"), std::string::npos);
    EXPECT_NE(error_of("LD 0xZZ\n").find(":1: 'LD 0xZZ': bad address"), std::string::npos);
    EXPECT_NE(error_of("hello world\n").find(":1: 'hello world': unknown trace format"), std::string::npos);
    EXPECT_NE(error_of("x:\tread\t0x0\n").find("bad cycle"), std::string::npos);
    EXPECT_NE(error_of("0x40 READ\n").find("bad cycle"), std::string::npos);
    EXPECT_NE(error_of("0x123456789012345678 READ 1\n").find("bad address"), std::string::npos);
    try {
        DramTraceReader r("/no/such/trace", DramTraceReader::Format::auto_detect);
        FAIL();
    } catch (const TraceError &e) {
        EXPECT_EQ(std::string(e.what()).rfind("/no/such/trace: cannot open", 0), 0u);
    }
}

TEST(DramTraceReader, LongFilesStreamAcrossBlocks) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += "0x" + std::to_string(1000 + i) + " WRITE " + std::to_string(i) + "\n";
    const auto v = read_all(write("long", text));
    ASSERT_EQ(v.size(), 100000u);
    EXPECT_EQ(v.back().cycle, 99999u);
}
