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
    EXPECT_EQ(v[0].aux, (static_cast<std::uint32_t>(TcfMode::async) | (1u << 8) | kThreadMaskGiven));
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

TEST(TextTraceReader, KernelEventsParseWithTheirOperands) {
    auto v = read_all("mtesim-trace 1\nthread 4 core=1 process=7 tcf=sync\n"
                      "4 mmap 0x10000 0x3000 mte\n4 mmap 0x200000 0x4000 file=9 offset=0x2000\n"
                      "4 munmap 0x11000 0x1000\n4 mprotect 0x10000 0x1000 none\n4 mprotect 0x10000 0x1000 mte\n"
                      "4 madvise 0x10000 0x2000 pageout\n4 pin_range 0x10000 0x1000\n4 unpin_range 0x10000 0x1000\n"
                      "4 read 9 0x1800 0x100\n");
    ASSERT_EQ(v.size(), 10u);
    EXPECT_EQ(v[0].src.raw, 7u) << "process id";
    EXPECT_EQ(v[1].aux, 1u);
    EXPECT_EQ(v[2].aux, 2u | (2u << 8)) << "file backed, offset 2 pages";
    EXPECT_EQ(v[2].dest, 9u);
    EXPECT_EQ(v[3].op, TraceOp::munmap);
    EXPECT_EQ(v[4].aux, 0u);
    EXPECT_EQ(v[5].aux, 1u);
    EXPECT_EQ(v[6].op, TraceOp::pageout);
    EXPECT_EQ(v[7].op, TraceOp::pin_range);
    EXPECT_EQ(v[7].aux, 1u);
    EXPECT_EQ(v[8].aux, 0u);
    EXPECT_EQ(v[9].op, TraceOp::read_file);
    EXPECT_EQ(v[9].dest, 9u);
    EXPECT_EQ(v[9].src.raw, 0x1800u);
    EXPECT_EQ(v[9].arg, 0x100u);
    EXPECT_EQ(read_all(kHead).front().src.raw, 1u) << "threads default to process 1";
}

/* The protection field of mmap and mprotect: mte, ro, rw joined by commas (docs/trace-format.md). */
TEST(TextTraceReader, ProtectionsParseIntoTheirFlagsAndBadOnesAreRejected) {
    auto v = read_all(kHead + "1 mmap 0x10000 0x1000 mte,ro\n1 mmap 0x20000 0x1000 ro shared\n1 mmap 0x30000 0x1000 rw\n"
                              "1 mmap 0x40000 0x1000 ro,mte memfd=2\n1 mprotect 0x10000 0x1000 ro\n"
                              "1 mprotect 0x10000 0x1000 mte,ro\n1 mprotect 0x10000 0x1000 rw\n1 mprotect 0x10000 0x1000 mte,rw\n");
    ASSERT_EQ(v.size(), 9u);
    EXPECT_EQ(v[1].aux, 1u | kMmapReadOnly);
    EXPECT_EQ(v[2].aux, 4u | kMmapReadOnly) << "read-only MAP_SHARED anonymous";
    EXPECT_EQ(v[3].aux, 0u) << "rw is the default";
    EXPECT_EQ(v[4].aux, 1u | 8u | kMmapReadOnly);
    EXPECT_EQ(v[4].dest, 2u);
    EXPECT_EQ(v[5].aux, kProtectReadOnly);
    EXPECT_EQ(v[6].aux, kProtectMte | kProtectReadOnly);
    EXPECT_EQ(v[7].aux, 0u) << "rw: the same as none";
    EXPECT_EQ(v[8].aux, kProtectMte);
    for (const char *bad : {"ro,rw", "mte,mte", "mte,", ",ro", "ro,,mte", "r", "none,ro"})
        EXPECT_NE(error_of(kHead + "1 mprotect 0x1000 0x1000 " + bad + "\n").find("bad protection"), std::string::npos) << bad;
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 mte,ro,rw\n").find("bad argument"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 mte ro\n").find("more than one protection"), std::string::npos);
}

TEST(TextTraceReader, KernelEventErrorPaths) {
    EXPECT_NE(error_of("mtesim-trace 1\nthread 1 process=0\n").find("bad process"), std::string::npos);
    EXPECT_NE(error_of("mtesim-trace 1\nthread 1 process=9999999\n").find("bad process"), std::string::npos);
    // PROT_MTE on a file mapping is a modelled result (-EINVAL, as Linux returns), not bad input.
    EXPECT_EQ(error_of(kHead + "1 mmap 0x1000 0x1000 mte file=2\n"), "(no error)");
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 offset=0x1000\n").find("offset= without file="), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 file=2 offset=0x10\n").find("bad offset"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 private\n").find("expected a protection (mte, ro, rw or a list such as mte,ro), file=ID"),
              std::string::npos);
    EXPECT_EQ(error_of(kHead + "1 mmap 0x1000 0x1000 mte shared\n"), "(no error)");
    EXPECT_EQ(error_of(kHead + "1 mmap 0x1000 0x1000 mte memfd=3 offset=0x2000\n"), "(no error)");
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 shared memfd=3\n").find("more than one of file=, memfd= and shared"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 memfd=0\n").find("bad memfd"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0x1000 0x1000 memfd=8388608\n").find("bad memfd"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mmap 0xfffffffff000 0x2000\n").find("below 2^48"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 munmap 0x1000\n").find("wrong number of fields"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 munmap 0x1800 0x1000\n").find("page-aligned"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 mprotect 0x1000 0x1000 rwx\n").find("expected mte, ro, rw, none or a list such as mte,ro"),
              std::string::npos);
    EXPECT_NE(error_of(kHead + "1 madvise 0x1000 0x1000 willneed\n").find("expected pageout or dontneed"), std::string::npos);
    EXPECT_EQ(error_of(kHead + "1 madvise 0x1000 0x1000 dontneed\n"), "(no error)");
    // sysctl: the two keys the model has, their values checked.
    EXPECT_EQ(error_of(kHead + "1 sysctl vm.compact_memory 1\n1 sysctl vm.compaction_proactiveness 100\n"), "(no error)");
    EXPECT_NE(error_of(kHead + "1 sysctl vm.swappiness 60\n")
                  .find("unsupported sysctl 'vm.swappiness', expected vm.compact_memory or vm.compaction_proactiveness"),
              std::string::npos);
    EXPECT_NE(error_of(kHead + "1 sysctl vm.compaction_proactiveness 101\n").find("expected a number up to 100"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 sysctl vm.compact_memory 0\n").find("bad vm.compact_memory value, expected 1"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 sysctl vm.compact_memory\n").find("wrong number of fields, expected 'TID sysctl KEY VALUE'"),
              std::string::npos);
    // fork: a new thread id for the child; the child's lines use it.
    EXPECT_EQ(error_of(kHead + "1 fork 2 5\n5 ld 0x1000 8\n"), "(no error)");
    EXPECT_NE(error_of(kHead + "1 fork 2 1\n").find("already exists, expected a new thread id for the child"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 fork 0 5\n").find("bad child process id 0"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 fork 2\n").find("wrong number of fields"), std::string::npos);
    // read/write through a buffer
    EXPECT_EQ(error_of(kHead + "1 read 3 0 64 buf=0x0500000000001000\n1 write 3 0 8 buf=0x1000\n"), "(no error)");
    EXPECT_NE(error_of(kHead + "1 write 3 0 8\n").find("wrong number of fields"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 read 3 0 8 bux=0x1000\n").find("expected buf=ADDR"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 read 3 0x100000000 8 buf=0x1000\n").find("below 4 GiB"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 prctl tagged_addr=yes\n").find("bad tagged_addr"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 pin_range 0x1000 0\n").find("bad length 0"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 read x 0 10\n").find("bad file id"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 read 1 0 0\n").find("bad length 0"), std::string::npos);
    // kalloc's GFP modifiers
    EXPECT_EQ(error_of(kHead + "1 kalloc a 0 unmovable noretry atomic\n1 kalloc b 3 reclaimable retry_mayfail\n"), "(no error)");
    EXPECT_NE(error_of(kHead + "1 kalloc a 0 unmovable nofail\n").find("bad flag, expected 'atomic', 'noretry' or 'retry_mayfail'"),
              std::string::npos);
    EXPECT_NE(error_of(kHead + "1 kalloc a 0 unmovable noretry retry_mayfail\n").find("expected at most one of them"),
              std::string::npos);
    EXPECT_NE(error_of(kHead + "1 kalloc a 0 unmovable atomic atomic\n").find("flag given twice"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 kalloc a 0 unmovable atomic noretry x\n").find("wrong number of fields"), std::string::npos);
    // /proc/self/oom_score_adj: -1000..1000
    EXPECT_EQ(error_of(kHead + "1 oom_score_adj -1000\n1 oom_score_adj 1000\n1 oom_score_adj 0\n"), "(no error)");
    for (const char *bad : {"1001", "-1001", "x", "-", "--5", "+5", "0x3e9"})
        EXPECT_NE(error_of(kHead + "1 oom_score_adj " + bad + "\n").find("bad oom_score_adj value, expected a number from -1000 to 1000"),
                  std::string::npos)
            << bad;
    EXPECT_NE(error_of(kHead + "1 oom_score_adj\n").find("wrong number of fields"), std::string::npos);
}

TEST(TextTraceReader, HeapEventsParseAndAFreeOfAFreedHandleIsAnError) {
    auto v = read_all(kHead + "1 malloc h1 24\n1 calloc h2 4 100\n1 realloc h3 h1 200\n1 ld h3+24 8\n1 free h3\n"
                              "1 malloc h1 8\n1 free h1\n");
    ASSERT_EQ(v.size(), 8u);
    EXPECT_EQ(v[1].op, TraceOp::malloc);
    EXPECT_EQ(v[1].arg, 24u);
    EXPECT_EQ(v[2].op, TraceOp::calloc);
    EXPECT_EQ(v[2].aux, 4u);
    EXPECT_EQ(v[2].arg, 100u);
    EXPECT_EQ(v[3].op, TraceOp::realloc);
    EXPECT_EQ(v[3].src.name, v[1].dest);
    EXPECT_EQ(v[4].src.offset, 24);
    EXPECT_EQ(v[5].op, TraceOp::free);
    EXPECT_NE(error_of(kHead + "1 malloc h 8\n1 free h\n1 free h\n").find("'h' was freed at line 4, expected a live chunk"),
              std::string::npos);
    EXPECT_NE(error_of(kHead + "1 malloc h 8\n1 realloc g h 16\n1 ld h 8\n1 free h\n").find("'h' was freed at line 4"),
              std::string::npos);
    EXPECT_NE(error_of(kHead + "1 free nope\n").find("unknown pointer 'nope'"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 free 0x1000\n").find("expected a name set by malloc"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 malloc h\n").find("wrong number of fields"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 malloc h -1\n").find("bad size"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 calloc h 100000 100000\n").find("COUNT x SIZE"), std::string::npos);
    EXPECT_EQ(read_all(kHead + "1 sleep 250000\n").back().arg, 250000u);
    EXPECT_NE(error_of(kHead + "1 sleep\n").find("wrong number of fields"), std::string::npos);
    // A double free through a copy of the pointer is legal in a trace: the heap model catches it.
    EXPECT_EQ(read_all(kHead + "1 malloc h 8\n1 addg c h 0 0\n1 free h\n1 free c\n").size(), 5u);
}

TEST(TextTraceReader, TruncatedLastLineStillParsesOrFails) {
    // A last line without '\n' is read; a line cut mid-token is a clear error.
    EXPECT_EQ(read_all(kHead + "1 ld 0x10 8").size(), 2u);
    EXPECT_NE(error_of(kHead + "1 ld 0x10").find("wrong number of fields"), std::string::npos);
}

TEST(TextTraceReader, LoadDependencies) {
    auto v = read_all(kHead + "1 ld 0x80000000 8\n1 ld 0x80000040 8 dep=1\n1 st 0x80000080 8 gap=3 dep=2\n1 ld 0x800000c0 8 gap=2\n");
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[1].dep, 0u) << "no annotation: independent";
    EXPECT_EQ(v[2].dep, 1u);
    EXPECT_EQ(v[3].dep, 2u);
    EXPECT_EQ(v[3].aux, 3u);
    EXPECT_EQ(v[4].dep, 0u);
    EXPECT_NE(error_of(kHead + "1 ld 0x80000000 8 dep=0\n").find("expected dep=K"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x80000000 8 dep=65\n").find("1 to 64"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x80000000 8 deps=1\n").find("expected gap=N, dep=K or mispredict=M"), std::string::npos);
}

TEST(TextTraceReader, MispredictCounts) {
    auto v = read_all(kHead + "1 compute 100 mispredict=3\n1 compute 5\n1 ld 0x80000000 8 gap=4 mispredict=2 dep=1\n"
                              "1 st 0x80000040 8 mispredict=1 gap=1 value=7\n");
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[1].mispredicts, 3u);
    EXPECT_EQ(v[1].arg, 100u);
    EXPECT_EQ(v[2].mispredicts, 0u) << "no annotation: every branch predicted";
    EXPECT_EQ(v[3].mispredicts, 2u);
    EXPECT_EQ(v[3].aux, 4u);
    EXPECT_EQ(v[3].dep, 1u);
    EXPECT_EQ(v[4].mispredicts, 1u) << "order of the keywords does not matter";
    EXPECT_TRUE(v[4].has_value);
    // Each mispredicted branch is one of the record's instructions.
    EXPECT_NE(error_of(kHead + "1 compute 2 mispredict=3\n").find("at most the compute's instructions (2)"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 ld 0x80000000 8 mispredict=1\n").find("at most the gap's instructions"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 compute 100 mispredict=0\n").find("expected mispredict=M"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 compute 100000 mispredict=65536\n").find("1 to 65535"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 compute 100 mispredicts=1\n").find("expected mispredict=M"), std::string::npos);
    EXPECT_NE(error_of(kHead + "1 compute 100 mispredict=1 x\n").find("wrong number of fields"), std::string::npos);
    const std::string msg = error_of(kHead + "1 compute 2 mispredict=x\n");
    EXPECT_NE(msg.find(":3:"), std::string::npos) << "names the line: " << msg;
}

/* Plain loads and stores ("TID ld|st ADDRESS SIZE", single blanks) are read by a one-pass
 * path; every other spelling of the same line by the general parser. Each plain line below is
 * also written with doubled blanks, tabs, upper-case ops and a trailing comment, which take the
 * general path: the events must be equal field for field. Lines the general parser rejects
 * (a thread not created or exited, a size of 0 or over 4096, a bad number) must give its very
 * error in the plain spelling too. */
TEST(TextTraceReader, PlainAccessesReadAsTheGeneralParserReadsThem) {
    const std::vector<std::string> plain = {"1 ld 0x80000000 8", "1 st 0x80000040 4", "1 ld 4096 1",
                                            "2 st 0xffffffffffff 4096", "1 st 0 8", "2 ld 00017 3",
                                            "1 ld 0xABCdef 2", "1 st 0X40 8", "2 ld 1234567890123456789 8"};
    const std::string threads = "thread 2 core=1\n";
    std::string a = kHead + threads, b = kHead + threads;
    for (const std::string &line : plain) {
        a += line + "\n";
        std::string other;
        for (char c : line) other += c == ' ' ? std::string(" \t ") : std::string(1, c);
        if (other.find("ld") != std::string::npos) other.replace(other.find("ld"), 2, "LD");
        b += other + "  # the general path\n";
    }
    const auto fast = read_all(a), general = read_all(b);
    ASSERT_EQ(fast.size(), plain.size() + 2);
    ASSERT_EQ(fast.size(), general.size());
    for (std::size_t i = 0; i < fast.size(); ++i) {
        EXPECT_EQ(fast[i].op, general[i].op) << i;
        EXPECT_EQ(fast[i].thread, general[i].thread) << i;
        EXPECT_EQ(fast[i].src.raw, general[i].src.raw) << i;
        EXPECT_EQ(fast[i].src.name, general[i].src.name) << i;
        EXPECT_EQ(fast[i].src.offset, general[i].src.offset) << i;
        EXPECT_EQ(fast[i].arg, general[i].arg) << i;
        EXPECT_EQ(fast[i].aux, general[i].aux) << i;
        EXPECT_EQ(fast[i].dep, general[i].dep) << i;
        EXPECT_EQ(fast[i].dest, general[i].dest) << i;
        EXPECT_EQ(fast[i].mispredicts, general[i].mispredicts) << i;
        EXPECT_EQ(fast[i].has_value, general[i].has_value) << i;
        EXPECT_EQ(fast[i].position, general[i].position) << i;
    }
    EXPECT_EQ(fast[2].op, TraceOp::load);
    EXPECT_EQ(fast[2].src.raw, 0x80000000u);
    EXPECT_EQ(fast[5].thread, 2u);
    EXPECT_EQ(fast[5].src.raw, 0xffffffffffffu);
    EXPECT_EQ(fast[5].arg, 4096u);
    EXPECT_EQ(fast[7].src.raw, 17u) << "a decimal address with leading zeros";

    for (const char *bad : {"3 ld 0x1000 8", "1 ld 0x1000 0", "1 st 0x1000 4097", "1 ld 0x10g0 8",
                                   "1 st 0x11112222333344445 8", "99999999999 ld 0x1000 8", "1 ld 0x 8",
                            "1 ld 12345678901234567890 8", "1 ld 0x1000 8x"}) {
        const std::string err = error_of(kHead + std::string(bad) + "\n");
        EXPECT_NE(err, "(no error)") << bad;
        EXPECT_NE(err.find(bad), std::string::npos) << "the general parser's message, naming the line: " << err;
    }
    EXPECT_NE(error_of(kHead + "1 ld 0x1000 8\n1 exit\n1 ld 0x1000 8\n").find("thread 1 has exited"), std::string::npos)
        << "a thread read live on a plain line is not taken for live after its exit";
}
