// Binary workload traces: text -> binary -> text round trips exactly (raw and zstd), the reader
// checks records as the text reader checks lines, and damaged files are TraceErrors.
#include "mtesim/common/trace_error.h"
#include "mtesim/trace/binary_trace_format.h"
#include "mtesim/trace/binary_trace_reader.h"
#include "mtesim/trace/profile_workload.h"
#include "mtesim/trace/binary_trace_writer.h"
#include "mtesim/trace/synthetic_source.h"
#include "mtesim/trace/text_trace_reader.h"
#include "mtesim/trace/text_trace_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace mtesim;

namespace {

std::string tmp(const std::string &name) { return "/tmp/mtesim-bt-" + std::to_string(getpid()) + "-" + name; }

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

template <typename Source>
std::vector<std::string> canonical(Source &src) {
    std::vector<std::string> lines;
    std::ostringstream o;
    TextTraceWriter w(o);
    TraceEvent ev;
    while (src.next(ev)) w.write(ev, [&](std::uint32_t id) { return src.name_of(id); });
    std::istringstream in(o.str());
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

void to_binary(IEventSource &src, const std::string &path, bool zstd) {
    BinaryTraceWriter w(path, zstd);
    TraceEvent ev;
    while (src.next(ev)) w.write(ev, [&](std::uint32_t id) { return src.name_of(id); });
    w.close();
}

std::string error_of(const std::string &bytes) {
    const std::string p = tmp("bad.mtb");
    std::ofstream(p, std::ios::binary) << bytes;
    try {
        BinaryTraceReader r(p);
        TraceEvent ev;
        while (r.next(ev)) {
        }
    } catch (const TraceError &e) {
        return e.what();
    }
    return "(no error)";
}

std::string header(std::uint32_t flags = 0) {
    bintrace::Header h{};
    std::memcpy(h.magic, bintrace::kMagic, 8);
    h.version = bintrace::kVersion;
    h.flags = flags;
    return std::string(reinterpret_cast<const char *>(&h), sizeof h);
}

std::string record(std::uint8_t op, std::uint32_t thread, std::uint64_t arg = 0, std::uint32_t aux = 0) {
    bintrace::Record r{};
    r.op = op;
    r.thread = thread;
    if (op == static_cast<std::uint8_t>(TraceOp::thread_create)) r.raw_or_offset = 1; /* process 1 */
    r.dest = Operand::kRaw;
    r.name = Operand::kRaw;
    r.arg = arg;
    r.aux = aux;
    return std::string(reinterpret_cast<const char *>(&r), sizeof r);
}

}  // namespace

class BinaryRoundTrip : public ::testing::TestWithParam<const char *> {};

TEST_P(BinaryRoundTrip, TextBinaryTextIsExactRawAndCompressed) {
    const std::string text = std::string(MTESIM_TEST_DATA_DIR) + "/traces/" + GetParam();
    TextTraceReader original(text);
    const auto lines = canonical(original);
    ASSERT_GT(lines.size(), 20u);
    for (bool zstd : {false, true}) {
        const std::string bin = tmp(zstd ? "rt.mtb.zst" : "rt.mtb");
        TextTraceReader src(text);
        to_binary(src, bin, zstd);
        BinaryTraceReader back(bin);
        EXPECT_EQ(canonical(back), lines) << (zstd ? "zstd" : "raw");
        // binary -> text -> binary is byte-identical.
        const std::string text2 = tmp("rt2.trace");
        {
            BinaryTraceReader b(bin);
            std::ofstream o(text2);
            TextTraceWriter w(o);
            TraceEvent ev;
            while (b.next(ev)) w.write(ev, [&](std::uint32_t id) { return b.name_of(id); });
        }
        TextTraceReader again(text2);
        const std::string bin2 = tmp("rt2.mtb");
        to_binary(again, bin2, zstd);
        EXPECT_EQ(slurp(bin2), slurp(bin));
        std::remove(bin.c_str());
        std::remove(bin2.c_str());
        std::remove(text2.c_str());
    }
}

/* pool-pressure: kernel allocations and MTE instructions; kernel-paths: processes, file
 * mappings and reads, munmap, mprotect, madvise, pinning; heap-calls: malloc/calloc/realloc/
 * free, sleep; process-abi: fork, shared and memfd mappings, madvise dontneed, read/write
 * through a buffer, prctl tagged_addr; sysctl: both /proc/sys writes. */
INSTANTIATE_TEST_SUITE_P(Traces, BinaryRoundTrip,
                         ::testing::Values("pool-pressure.trace", "kernel-paths.trace", "heap-calls.trace", "process-abi.trace",
                                           "sysctl.trace"),
                         [](const auto &info) {
                             std::string n(info.param);
                             n = n.substr(0, n.find('.'));
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

/* The study profiles carry heap events (malloc, calloc, realloc, free), kernel allocations,
 * file reads and mappings: each survives binary and text round trips exactly, and a text
 * rendering passes the text reader's checks (no free of a freed handle, names defined). */
TEST(BinaryTrace, StudyProfilesRoundTripThroughBinaryAndText) {
    for (const char *profile : {"browser", "server", "page-cache", "swap-storm"}) {
        SCOPED_TRACE(profile);
        ProfileParams p;
        p.profile = profile;
        p.scale = 0.02;
        p.memory_bytes = 64ull << 20;
        ProfileWorkload a(p), b(p), c(p);
        const std::string bin = tmp("profile.mtb"), text = tmp("profile.trace");
        to_binary(a, bin, false);
        BinaryTraceReader r(bin);
        const auto expected = canonical(b);
        EXPECT_EQ(canonical(r), expected);
        {
            std::ofstream o(text);
            TextTraceWriter w(o);
            TraceEvent ev;
            while (c.next(ev)) w.write(ev, [&](std::uint32_t id) { return c.name_of(id); });
        }
        TextTraceReader t(text);
        EXPECT_EQ(canonical(t).size(), expected.size());
        std::remove(bin.c_str());
        std::remove(text.c_str());
    }
}

TEST(BinaryTrace, GeneratedWorkloadRoundTrips) {
    SyntheticParams p;
    p.threads = 3;
    p.accesses_per_thread = 2000;
    p.use_after_free = true;
    SyntheticSource a(p), b(p);
    const std::string bin = tmp("gen.mtb");
    to_binary(a, bin, true);
    BinaryTraceReader r(bin);
    EXPECT_EQ(canonical(r), canonical(b));
    std::remove(bin.c_str());
}

/* @bytes (a binary trace) with @patch applied to every event record (name definitions passed
 * over); @patch changes the record it is given when it wants to. */
namespace {
template <class Patch>
std::string patch_records(std::string bytes, Patch patch) {
    for (std::size_t at = sizeof(bintrace::Header); at + sizeof(bintrace::Record) <= bytes.size();) {
        bintrace::Record r;
        std::memcpy(&r, bytes.data() + at, sizeof r);
        if (r.op == bintrace::kOpDefineName) {
            at += sizeof r + (r.arg + 7) / 8 * 8;
            continue;
        }
        patch(r);
        std::memcpy(bytes.data() + at, &r, sizeof r);
        at += sizeof r;
    }
    return bytes;
}
}  // namespace

/* kalloc's GFP modifiers (aux bits 8-10) round-trip, and a record with both noretry and
 * retry_mayfail, or an unknown bit, is refused as the text reader refuses the line. */
TEST(BinaryTrace, KallocFlagsRoundTripAndAreChecked) {
    const std::string text = tmp("kflags.trace"), bin = tmp("kflags.mtb");
    std::ofstream(text) << "mtesim-trace 1\nthread 1\n1 kalloc a 0 unmovable atomic noretry\n1 kalloc b 2 movable retry_mayfail\n"
                           "1 kalloc c 1 tagged\n";
    TextTraceReader original(text);
    const auto lines = canonical(original);
    ASSERT_EQ(lines.size(), 5u); /* the header and the thread line first */
    EXPECT_EQ(lines[2], "1 kalloc a 0 unmovable atomic noretry");
    EXPECT_EQ(lines[3], "1 kalloc b 2 movable retry_mayfail");
    TextTraceReader src(text);
    to_binary(src, bin, false);
    BinaryTraceReader back(bin);
    EXPECT_EQ(canonical(back), lines);
    const std::string bytes = slurp(bin);
    for (std::uint32_t bad : {kKallocNoretry | kKallocRetryMayfail, 0x800u}) {
        const std::string patched = patch_records(bytes, [bad](bintrace::Record &r) {
            if (r.op == static_cast<std::uint8_t>(TraceOp::kalloc) && r.arg == 0) r.aux = bad;
        });
        EXPECT_NE(error_of(patched).find("bad kalloc"), std::string::npos) << std::hex << bad;
    }
    std::remove(text.c_str());
    std::remove(bin.c_str());
}

/* oom_score_adj's value, negative ones included, round-trips in arg (two's complement); a
 * record outside -1000..1000 is refused as the text reader refuses the line. */
TEST(BinaryTrace, OomScoreAdjRoundTripsAndIsChecked) {
    const std::string text = tmp("adj.trace"), bin = tmp("adj.mtb");
    std::ofstream(text) << "mtesim-trace 1\nthread 1\n1 oom_score_adj -1000\n1 oom_score_adj 17\n";
    TextTraceReader original(text);
    const auto lines = canonical(original);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[2], "1 oom_score_adj -1000");
    EXPECT_EQ(lines[3], "1 oom_score_adj 17");
    TextTraceReader src(text);
    to_binary(src, bin, false);
    BinaryTraceReader back(bin);
    EXPECT_EQ(canonical(back), lines);
    const std::string bytes = slurp(bin);
    for (std::int64_t bad : {std::int64_t{1001}, std::int64_t{-1001}, std::int64_t{1} << 40}) {
        const std::string patched = patch_records(bytes, [bad](bintrace::Record &r) {
            if (r.op == static_cast<std::uint8_t>(TraceOp::oom_score_adj) && r.arg == 17) r.arg = static_cast<std::uint64_t>(bad);
        });
        EXPECT_NE(error_of(patched).find("bad oom_score_adj"), std::string::npos) << bad;
    }
    std::remove(text.c_str());
    std::remove(bin.c_str());
}

TEST(BinaryTrace, DamagedFilesAreTraceErrors) {
    const std::string create = record(static_cast<std::uint8_t>(TraceOp::thread_create), 1, TraceEvent::kAnyCore);
    EXPECT_NE(error_of("not a trace").find("bad magic"), std::string::npos);
    EXPECT_NE(error_of(header().substr(0, 10)).find("bad magic"), std::string::npos);
    EXPECT_NE(error_of(header() + create + create.substr(0, 17)).find("truncated record"), std::string::npos);
    EXPECT_NE(error_of(header() + record(200, 1)).find("unknown operation 200"), std::string::npos);
    EXPECT_NE(error_of(header() + record(static_cast<std::uint8_t>(TraceOp::compute), 7, 5)).find("thread 7 was never created"),
              std::string::npos);
    EXPECT_NE(error_of(header() + create + record(static_cast<std::uint8_t>(TraceOp::load), 1, 0)).find("bad access size"),
              std::string::npos);
    EXPECT_NE(error_of(header() + create + create).find("created twice"), std::string::npos);
    std::string no_process = create;
    std::fill(no_process.begin() + 24, no_process.begin() + 32, '\0'); /* raw_or_offset: process 0 */
    EXPECT_NE(error_of(header() + no_process).find("bad process id"), std::string::npos);
    EXPECT_NE(error_of(header() + create + record(static_cast<std::uint8_t>(TraceOp::munmap), 1, 0)).find("bad munmap range"),
              std::string::npos);
    bintrace::Record name{};
    name.op = bintrace::kOpDefineName;
    name.name = 5;
    name.arg = 1;
    EXPECT_NE(error_of(header() + std::string(reinterpret_cast<const char *>(&name), sizeof name) + "p\0\0\0\0\0\0\0")
                  .find("names must be defined in order"),
              std::string::npos);
    bintrace::Record uses{};
    uses.op = static_cast<std::uint8_t>(TraceOp::kfree);
    uses.thread = 1;
    uses.has_name = 1;
    uses.name = 0;
    uses.dest = Operand::kRaw;
    EXPECT_NE(error_of(header() + create + std::string(reinterpret_cast<const char *>(&uses), sizeof uses))
                  .find("uses a pointer name never defined"),
              std::string::npos);
    EXPECT_NE(error_of(header(bintrace::kFlagZstd) + "\x28\xb5\x2f\xfd garbage").find("zstd"), std::string::npos);
    const std::string msg = error_of(header() + create + record(static_cast<std::uint8_t>(TraceOp::compute), 1, 1ull << 50));
    EXPECT_EQ(msg.rfind(tmp("bad.mtb") + ": byte 56 (event 2): bad cycle count", 0), 0u) << msg;
}

/* A text trace written to tmp(NAME.trace), converted to tmp(NAME.mtb) and read back: the binary
 * trace must give the same canonical lines as the text one; returns them, one per line. */
static std::string text_binary_text(const std::string &name, const std::string &body) {
    const std::string text = tmp(name + ".trace");
    std::ofstream(text) << body;
    TextTraceReader original(text);
    const auto lines = canonical(original);
    const std::string bin = tmp(name + ".mtb");
    TextTraceReader src(text);
    to_binary(src, bin, false);
    BinaryTraceReader back(bin);
    EXPECT_EQ(canonical(back), lines);
    std::string all;
    for (const auto &l : lines) all += l + "\n";
    return all;
}

TEST(BinaryTrace, LoadDependenciesRoundTripAndAreChecked) {
    const std::string all = text_binary_text(
        "dep", "mtesim-trace 1\nthread 1 core=0\n1 ld 0x80000000 8\n1 ld 0x80000040 8 gap=2 dep=1\n1 st 0x80000080 8 dep=2\n");
    EXPECT_NE(all.find("gap=2 dep=1"), std::string::npos);
    EXPECT_NE(all.find("dep=2"), std::string::npos);
    // A record written before the annotation existed has 0 there: no dependence.
    std::string bad = header() + record(static_cast<std::uint8_t>(TraceOp::thread_create), 1, TraceEvent::kAnyCore) +
                      record(static_cast<std::uint8_t>(TraceOp::load), 1, 8);
    bad[bad.size() - 40 + 20] = 65; /* dep of the load: beyond kMaxLoadDependency */
    EXPECT_NE(error_of(bad).find("bad load dependency"), std::string::npos);
}


TEST(BinaryTrace, MispredictCountsRoundTripAndAreChecked) {
    const std::string all = text_binary_text("mispredict", "mtesim-trace 1\nthread 1 core=0\n1 compute 40 mispredict=7\n"
                                                           "1 ld 0x80000040 8 gap=2 dep=1 mispredict=2\n1 st 0x80000080 8\n");
    EXPECT_NE(all.find("compute 40 mispredict=7"), std::string::npos);
    EXPECT_NE(all.find("gap=2 dep=1 mispredict=2"), std::string::npos);
    // The count is the record's u16 at byte 2: 0 in traces written before it (no mispredicts).
    const std::string create = record(static_cast<std::uint8_t>(TraceOp::thread_create), 1, TraceEvent::kAnyCore);
    std::string ok = header() + create + record(static_cast<std::uint8_t>(TraceOp::compute), 1, 9);
    ok[ok.size() - 40 + 2] = 9;
    EXPECT_EQ(error_of(ok), "(no error)") << "9 mispredicts among 9 instructions";
    std::string many = ok;
    many[many.size() - 40 + 2] = 10;
    EXPECT_NE(error_of(many).find("bad mispredict count"), std::string::npos);
    std::string elsewhere = header() + create + record(static_cast<std::uint8_t>(TraceOp::syscall), 1, 0);
    elsewhere[elsewhere.size() - 40 + 2] = 1;
    EXPECT_NE(error_of(elsewhere).find("mispredict count on a syscall record"), std::string::npos);
}

/* After a valid ld from thread 1 (so the reader has seen thread 1 live and a ld/st is decoded on
 * its quick path), every check of a ld/st still holds: each bad record below, right after good
 * ones, is the same TraceError as it would be on its own, at its own event. */
TEST(BinaryTrace, LoadStoreChecksHoldAfterValidLoads) {
    const auto op = [](TraceOp o) { return static_cast<std::uint8_t>(o); };
    const std::string good = header() + record(op(TraceOp::thread_create), 1, TraceEvent::kAnyCore) +
                             record(op(TraceOp::load), 1, 8) + record(op(TraceOp::store), 1, 8);
    EXPECT_EQ(error_of(good), "(no error)");
    const auto last_error = [&](std::string bad) { return error_of(good + bad); };
    EXPECT_NE(last_error(record(op(TraceOp::load), 1, 0)).find("(event 4): bad access size"), std::string::npos);
    EXPECT_NE(last_error(record(op(TraceOp::store), 1, 4097)).find("(event 4): bad access size"), std::string::npos);
    EXPECT_NE(last_error(record(op(TraceOp::load), 2, 8)).find("(event 4): thread 2 was never created"), std::string::npos);
    std::string dep = record(op(TraceOp::load), 1, 8);
    dep[20] = 65; /* beyond kMaxLoadDependency */
    EXPECT_NE(last_error(dep).find("(event 4): bad load dependency"), std::string::npos);
    std::string mispredicts = record(op(TraceOp::store), 1, 8, 3);
    mispredicts[2] = 4; /* 4 mispredicts among a gap of 3 instructions */
    EXPECT_NE(last_error(mispredicts).find("(event 4): bad mispredict count"), std::string::npos);
    bintrace::Record named{};
    named.op = op(TraceOp::load);
    named.thread = 1;
    named.has_name = 1;
    named.name = 0; /* no name defined */
    named.dest = Operand::kRaw;
    named.arg = 8;
    EXPECT_NE(last_error(std::string(reinterpret_cast<const char *>(&named), sizeof named)).find("(event 4): uses a pointer name never defined"),
              std::string::npos);
    bintrace::Record value{};
    value.op = bintrace::kOpValue;
    value.arg = 42;
    const std::string value_record(reinterpret_cast<const char *>(&value), sizeof value);
    EXPECT_EQ(last_error(value_record + record(op(TraceOp::store), 1, 8)), "(no error)") << "a value before a st";
    EXPECT_NE(last_error(value_record + record(op(TraceOp::load), 1, 8)).find("(event 4): a value record before ld"),
              std::string::npos);
    // A thread that exited is not live any more, though its last event was a valid ld.
    EXPECT_NE(last_error(record(op(TraceOp::exit), 1) + record(op(TraceOp::load), 1, 8))
                  .find("(event 5): thread 1 was never created or has exited"),
              std::string::npos);
}
