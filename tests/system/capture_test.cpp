// End-to-end tests of `mtesim trace capture` (docs/trace-format.md, "Capture of real programs"):
// small C programs built here, each with one planted heap bug, are captured under mtegrind and
// run in sync mode; the fault must be the bug's kind, on the trace line of the bug, and the
// program's clean twin must run with no fault. Also: a capture stopped by SIGINT, a program
// that crashes, and a program Valgrind cannot run. Skipped when mtegrind or gcc is missing.
#include <gtest/gtest.h>

#include "run_mtesim.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

using mtesim::systest::Result;
using mtesim::systest::slurp;

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

/// Starts @argv with stdout and stderr to files in @dir; returns its pid.
pid_t start(const std::vector<std::string> &argv, const fs::path &dir) {
    const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir.c_str()) != 0) _exit(126);
        int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
        std::vector<char *> a;
        for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        _exit(127);
    }
    return pid;
}

Result finish(pid_t pid, const fs::path &dir) {
    int status = 0;
    waitpid(pid, &status, 0);
    Result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(dir / "stdout");
    r.err = slurp(dir / "stderr");
    fs::remove(dir / "stdout");
    fs::remove(dir / "stderr");
    return r;
}

Result run(const std::vector<std::string> &argv, const fs::path &dir) { return finish(start(argv, dir), dir); }

Result mtesim(std::vector<std::string> args, const fs::path &dir) {
    args.insert(args.begin(), MTESIM_BINARY);
    return run(args, dir);
}

/* One program, the bug chosen by argv[1]: "NAME" plants it, "NAME-clean" is its clean twin,
 * which makes the same calls and accesses without the bug. Each chunk has a size of its own, so
 * the test finds its handle from its `malloc` line. Every access goes through a volatile
 * pointer, so the compiler keeps it as written. */
const char *kProgram = R"(#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
typedef volatile long vlong;
typedef volatile char vchar;
static void *keep(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); return p; }
int main(int argc, char **argv) {
    const char *bug = argc > 1 ? argv[1] : "";
    const int clean = strstr(bug, "-clean") != NULL;
    if (!strncmp(bug, "uaf-read", 8)) {
        vlong *p = keep(malloc(72));
        p[0] = 1; p[1] = 2;
        if (clean) { long v = p[1]; free((void *)p); return v == 2 ? 0 : 1; }
        free((void *)p);
        long v = p[1]; /* read 8 bytes into the freed chunk */
        return v == 12345;
    }
    if (!strncmp(bug, "uaf-write", 9)) {
        vlong *p = keep(malloc(88));
        p[0] = 1;
        if (clean) { p[1] = 3; free((void *)p); return 0; }
        free((void *)p);
        p[1] = 3; /* write 8 bytes into the freed chunk */
        return 0;
    }
    if (!strncmp(bug, "overflow", 8)) {
        vchar *p = keep(malloc(48));
        p[0] = 1;
        p[clean ? 47 : 48] = 2; /* 48: the first byte of the next granule */
        free((void *)p);
        return 0;
    }
    if (!strncmp(bug, "underflow", 9)) {
        vchar *p = keep(malloc(56));
        p[0] = 1;
        *(vlong *)(p + (clean ? 8 : -16)) = 2; /* -16: the granule before the chunk */
        free((void *)p);
        return 0;
    }
    if (!strncmp(bug, "double-free", 11)) {
        vlong *p = keep(malloc(104));
        p[0] = 1;
        free((void *)p);
        if (!clean) free(keep((void *)p));
        return 0;
    }
    if (!strncmp(bug, "invalid-free", 12)) {
        vchar *p = keep(malloc(120));
        p[0] = 1;
        free(keep((void *)(p + (clean ? 0 : 16)))); /* a pointer inside the chunk */
        return 0;
    }
    if (!strcmp(bug, "crash")) {
        vlong *p = keep(malloc(136));
        p[0] = 1;
        free((void *)p);
        *(vlong *)keep(NULL) = 1;
        return 0;
    }
    if (!strcmp(bug, "fork")) { /* the child's heap calls are not the parent's trace */
        vlong *p = keep(malloc(152));
        p[0] = 1;
        pid_t pid = fork();
        if (pid == 0) { vlong *q = keep(malloc(168)); q[0] = 2; free((void *)q); _exit(0); }
        waitpid(pid, NULL, 0);
        free((void *)p);
        return 0;
    }
    if (!strcmp(bug, "forever")) { /* allocates until stopped */
        for (unsigned long i = 0;; ++i) {
            vlong *p = keep(malloc(32 + i % 64));
            p[0] = (long)i;
            free((void *)p);
            if (i % 1024 == 0) usleep(1000);
        }
    }
    return 2;
}
)";

class CaptureTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = fs::temp_directory_path() / ("mtesim-capture-" + std::to_string(getpid()));
        fs::create_directories(s_dir);
        std::ofstream(s_dir / "bugs.c") << kProgram;
        s_built = run({"gcc", "-O1", "-w", "-o", "bugs", "bugs.c"}, s_dir).status == 0;
    }
    static void TearDownTestSuite() { fs::remove_all(s_dir); }

    void SetUp() override {
        if (!fs::exists(fs::path(MTESIM_BINARY).parent_path().parent_path() / "capture/mtegrind-amd64-linux"))
            GTEST_SKIP() << "mtegrind not built (valgrind's tool libraries missing)";
        if (!s_built) GTEST_SKIP() << "gcc could not build the test program";
    }

    /// Captures `bugs BUG` as a text trace; returns its lines.
    std::vector<std::string> capture(const std::string &bug) {
        const std::string trace = bug + ".trace";
        Result r = mtesim({"trace", "capture", trace, "--", "./bugs", bug}, s_dir);
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.out, "") << "mtesim's lines go to stderr, stdout is the program's";
        EXPECT_NE(r.err.find("mtesim trace capture: ./bugs exited with status"), std::string::npos) << r.err;
        return lines_of(slurp(s_dir / trace));
    }

    /// Runs the captured trace in sync mode; returns the lines of faults.csv after its header.
    /// faults.csv's trace_line column (docs/stats.md: time_ps, core, thread, kind, mode, access,
    /// address, trace_position, si_addr, trace_line, event_index).
    static constexpr std::size_t kTraceLineColumn = 9;

    std::vector<std::string> faults(const std::string &bug) {
        const std::string out = bug + ".out";
        Result r = mtesim({"run", "--trace", bug + ".trace", "--out", out}, s_dir);
        EXPECT_EQ(r.status, 0) << r.err;
        auto lines = lines_of(slurp(s_dir / out / "faults.csv"));
        fs::remove_all(s_dir / out);
        if (!lines.empty()) lines.erase(lines.begin());
        return lines;
    }

    /// The number (1-based) of the first line of @lines after line @after that matches @re.
    static std::size_t line_of(const std::vector<std::string> &lines, const std::string &re, std::size_t after = 0) {
        const std::regex r(re);
        for (std::size_t i = after; i < lines.size(); ++i)
            if (std::regex_search(lines[i], r)) return i + 1;
        return 0;
    }

    /// The handle the `malloc NAME SIZE` line of a chunk of @size bytes defines.
    static std::string handle_of(const std::vector<std::string> &lines, std::size_t size, std::size_t *at) {
        const std::regex r(" malloc (h[0-9]+) " + std::to_string(size) + "$");
        std::smatch m;
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (std::regex_search(lines[i], m, r)) {
                *at = i + 1;
                return m[1];
            }
        return "";
    }

    /// The bug @bug is caught: one fault, of @kind and access @access, at the line after the
    /// chunk's malloc that matches @bug_line (with HANDLE for the chunk's handle); its clean
    /// twin gives none.
    void expect_caught(const std::string &bug, std::size_t size, const std::string &bug_line, const std::string &kind,
                       const std::string &access) {
        const auto lines = capture(bug);
        std::size_t malloc_at = 0;
        const std::string h = handle_of(lines, size, &malloc_at);
        ASSERT_NE(h, "") << "no malloc of " << size << " bytes in the trace";
        const std::string re = std::regex_replace(bug_line, std::regex("HANDLE"), h);
        const std::size_t at = line_of(lines, re, malloc_at);
        ASSERT_NE(at, 0u) << "no line matching '" << re << "' after line " << malloc_at;
        const auto f = faults(bug);
        ASSERT_EQ(f.size(), 1u) << "one fault, the planted bug's";
        const std::string want = "," + kind + ",sync," + access + ",";
        EXPECT_NE(f[0].find(want), std::string::npos) << f[0] << " expected " << want;
        std::vector<std::string> cols;
        std::istringstream row(f[0]);
        for (std::string c; std::getline(row, c, ',');) cols.push_back(c);
        ASSERT_GT(cols.size(), kTraceLineColumn) << f[0];
        EXPECT_EQ(cols[kTraceLineColumn], std::to_string(at)) << f[0] << ": the trace line of the bug, " << lines[at - 1];

        capture(bug + "-clean");
        EXPECT_EQ(faults(bug + "-clean").size(), 0u) << "the clean twin has no fault";
    }

    static fs::path s_dir;
    static bool s_built;
};

fs::path CaptureTest::s_dir;
bool CaptureTest::s_built = false;

TEST_F(CaptureTest, UseAfterFreeReadIsCaught) {
    expect_caught("uaf-read", 72, "^1 ld HANDLE\\+8 8", "SEGV_MTESERR", "read");
}

TEST_F(CaptureTest, UseAfterFreeWriteIsCaught) {
    expect_caught("uaf-write", 88, "^1 st HANDLE\\+8 8", "SEGV_MTESERR", "write");
}

TEST_F(CaptureTest, OverflowByOneGranuleIsCaught) {
    expect_caught("overflow", 48, "^1 st HANDLE\\+48 1", "SEGV_MTESERR", "write");
}

TEST_F(CaptureTest, UnderflowIsCaught) {
    expect_caught("underflow", 56, "^1 st HANDLE-16 8", "SEGV_MTESERR", "write");
}

TEST_F(CaptureTest, DoubleFreeIsCaught) {
    // The second free is written through a copy of the handle (a trace frees a handle once).
    expect_caught("double-free", 104, "^1 free d[0-9]+$", "HEAP_DOUBLE_FREE", "free");
}

TEST_F(CaptureTest, InvalidFreeIsCaught) {
    expect_caught("invalid-free", 120, "^1 free d[0-9]+\\+16$", "HEAP_INVALID_FREE", "free");
}

/* A real program (coreutils sort): its heap calls and accesses are recorded against handles,
 * and the trace runs with no false fault (granule-safe string loads, no read ahead taken for a
 * bug). Bad options are one line and exit status 2. */
TEST_F(CaptureTest, RecordsARealProgramWithNoFalseFault) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "w" + std::to_string((i * 7919) % 1000) + "\n";
    std::ofstream(s_dir / "input.txt") << text;
    Result r = mtesim({"trace", "capture", "sort.trace", "--", "sort", "input.txt"}, s_dir);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("mtesim trace capture: sort exited with status 0"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.size(), text.size()) << "stdout is sort's output alone";
    const std::string trace = slurp(s_dir / "sort.trace");
    EXPECT_EQ(trace.rfind("mtesim-trace 1\n", 0), 0u);
    EXPECT_NE(trace.find(" malloc h1 "), std::string::npos);
    EXPECT_NE(trace.find(" free h"), std::string::npos);
    EXPECT_NE(trace.find(" ld h"), std::string::npos) << "accesses re-expressed against handles";
    EXPECT_EQ(faults("sort").size(), 0u) << "no false fault";
    const auto bad = [&](const std::vector<std::string> &args, const std::string &prefix) {
        Result b = mtesim(args, s_dir);
        EXPECT_EQ(b.status, 2) << b.err;
        EXPECT_EQ(b.err.rfind(prefix, 0), 0u) << b.err;
        EXPECT_EQ(b.err.find('\n'), b.err.size() - 1) << "one line: " << b.err;
    };
    bad({"trace", "capture", "sort.trace", "--", "/nonexistent/program"}, "mtesim trace capture: '/nonexistent/program' not found");
    bad({"trace", "capture", "sort.trace", "--accesses", "some", "--", "sort", "input.txt"},
        "mtesim trace capture: --accesses 'some', expected heap or all");
    bad({"trace", "capture", "sort.trace", "--redzone", "24", "--", "sort", "input.txt"},
        "mtesim trace capture: --redzone 24, expected a power of two from 16 to 4096 bytes");
    fs::remove(s_dir / "sort.trace");
}

/* Dependences (docs/trace-format.md, "Capture": dep=K): a linked-list walk loads each node's
 * address out of the node before it, so each of its loads but the first carries dep=1 (the
 * previous load); an array sum computes its addresses from a counter, so none does. Built at
 * -O0 (every variable spilled to the stack and reloaded) and -O1 (kept in registers). */
static const char *kWalkProgram = R"(
#include <stdio.h>
#include <stdlib.h>
struct node { struct node *next; long val; };
int main(void) {
    enum { N = 100 };
    struct node *head = NULL;
    for (int i = 0; i < N; i++) { struct node *n = malloc(sizeof *n); n->val = i; n->next = head; head = n; }
    long *arr = malloc(N * sizeof *arr);
    for (int i = 0; i < N; i++) arr[i] = i;
    long count = 0;
    for (struct node *p = head; p; p = p->next) count++;
    long sum = 0;
    for (int i = 0; i < N; i++) sum += arr[i];
    printf("%ld %ld\n", count, sum);
    return 0;
}
)";

TEST_F(CaptureTest, AListWalksLoadsDependOnThePreviousLoadAndAnArraysDoNot) {
    std::ofstream(s_dir / "walk.c") << kWalkProgram;
    for (const std::string opt : {"-O0", "-O1"}) {
        SCOPED_TRACE(opt);
        ASSERT_EQ(run({"gcc", opt, "-w", "-o", "walk", "walk.c"}, s_dir).status, 0);
        Result r = mtesim({"trace", "capture", "walk.trace", "--", "./walk"}, s_dir);
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.out, "100 4950\n");
        const auto lines = lines_of(slurp(s_dir / "walk.trace"));
        std::set<std::string> nodes;
        std::string array;
        const std::regex malloc_re(" malloc (h[0-9]+) ([0-9]+)$"), ld_re(" ld (h[0-9]+)(\\S*) 8( gap=[0-9]+)?( dep=([0-9]+))?( mispredict=[0-9]+)?$");
        std::size_t walk_loads = 0, walk_dep1 = 0, walk_other_dep = 0, array_loads = 0, array_dep = 0;
        std::smatch m;
        for (const auto &l : lines) {
            if (std::regex_search(l, m, malloc_re)) {
                if (m[2] == "16") nodes.insert(m[1]);
                else if (m[2] == "800") array = m[1];
            } else if (std::regex_search(l, m, ld_re)) {
                if (nodes.count(m[1]) && m[2] == "") { /* p->next, at offset 0 */
                    ++walk_loads;
                    if (m[5] == "1") ++walk_dep1;
                    else if (m[4].matched) ++walk_other_dep;
                } else if (m[1] == array) {
                    ++array_loads;
                    if (m[4].matched) ++array_dep;
                }
            }
        }
        ASSERT_EQ(nodes.size(), 100u);
        EXPECT_EQ(walk_loads, 100u) << "one load of p->next per node";
        EXPECT_EQ(walk_dep1, 99u) << "every node but the first is reached through the previous load";
        EXPECT_EQ(walk_other_dep, 0u);
        EXPECT_EQ(array_loads, 100u) << "the sum's loads";
        EXPECT_EQ(array_dep, 0u) << "an array's addresses come from a counter, not from a load";
        EXPECT_NE(r.err.find("99 accesses depend on a recorded load"), std::string::npos) << r.err;
        EXPECT_EQ(faults("walk").size(), 0u);
    }
}

/* A branch on random data (a bit of an LCG per element) against the same loop on constant data:
 * the body's asm keeps the compiler from turning the branch into a conditional select. */
static const char *kBranchProgram = R"(
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    enum { N = 4000 };
    const int random = argc > 1;
    unsigned char *data = malloc(N);
    unsigned x = 12345;
    for (int i = 0; i < N; i++) { x = x * 1103515245u + 12345u; data[i] = random ? (x >> 16) & 1 : 1; }
    long sum = 0;
    for (int i = 0; i < N; i++)
        if (data[i]) { __asm__ volatile("" ::: "memory"); sum += i; }
    printf("%ld\n", sum > 0);
    return 0;
}
)";

TEST_F(CaptureTest, AnUnpredictableBranchMispredictsAndAPredictableLoopDoesNot) {
    // mtegrind's predictor (2-bit counters, as Cachegrind's) is wrong about half the time on a
    // branch whose direction is a coin flip, and learns a branch that always goes one way: the
    // mispredicts written on the summing loop's loads (the branch of element i rides on the load
    // of element i + 1) are about N / 2 in the first case and a handful in the second.
    std::ofstream(s_dir / "branch.c") << kBranchProgram;
    ASSERT_EQ(run({"gcc", "-O1", "-w", "-o", "branch", "branch.c"}, s_dir).status, 0);
    auto loop_mispredicts = [&](const std::vector<std::string> &args) {
        std::vector<std::string> cmd = {"trace", "capture", "branch.trace", "--", "./branch"};
        cmd.insert(cmd.end(), args.begin(), args.end());
        Result r = mtesim(cmd, s_dir);
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_NE(r.err.find("mispredicts written"), std::string::npos) << r.err;
        const auto lines = lines_of(slurp(s_dir / "branch.trace"));
        std::string data;
        std::regex data_re;
        const std::regex malloc_re(" malloc (h[0-9]+) 4000$"), mispredict_re(" mispredict=([0-9]+)");
        std::smatch m;
        std::size_t total = 0, loads = 0;
        for (const auto &l : lines) {
            if (std::regex_search(l, m, malloc_re)) {
                data = m[1];
                data_re = std::regex(" ld " + data + "(\\+[0-9]+)? 1( |$)");
            }
            if (data.empty() || !std::regex_search(l, data_re)) continue;
            ++loads;
            if (std::regex_search(l, m, mispredict_re)) total += std::stoul(m[1]);
        }
        EXPECT_EQ(loads, 4000u) << "one load per element";
        return total;
    };
    const std::size_t random = loop_mispredicts({"random"}), constant = loop_mispredicts({});
    EXPECT_GT(random, 4000u * 3 / 10) << "a coin-flip branch: about one mispredict in two";
    EXPECT_LT(random, 4000u * 7 / 10);
    EXPECT_LT(constant, 20u) << "a branch that always goes one way is learned at once";
}

/* A forked child runs under Valgrind too, but does not write into the parent's trace. */
TEST_F(CaptureTest, AForkedChildDoesNotWriteTheParentsTrace) {
    const auto lines = capture("fork");
    std::size_t at = 0;
    const std::string h = handle_of(lines, 152, &at);
    ASSERT_NE(h, "") << "the parent's chunk";
    EXPECT_NE(line_of(lines, "^1 free " + h + "$", at), 0u) << "the parent's free after the child ended";
    EXPECT_EQ(line_of(lines, " malloc h[0-9]+ 168$"), 0u) << "no chunk of the child's";
    fs::remove(s_dir / "fork.trace");
}

/* A program that replaces itself (env execs ./bugs) runs on without Valgrind: capture names
 * the new program instead of blaming Valgrind, keeps the trace up to the exec, exit status 1. */
TEST_F(CaptureTest, AnExecIsNamed) {
    Result r = mtesim({"trace", "capture", "exec.trace", "--", "env", "./bugs", "uaf-read-clean"}, s_dir);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("mtesim trace capture: env replaced itself with ./bugs (execve), which Valgrind does not follow (it "
                         "exited with status 0 without Valgrind)"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("valgrind failed"), std::string::npos) << r.err;
    EXPECT_EQ(mtesim({"trace", "stat", "exec.trace"}, s_dir).status, 0) << "the trace up to the exec is readable";
    EXPECT_FALSE(fs::exists(s_dir / "exec.trace.capture.mtb"));
    fs::remove(s_dir / "exec.trace");
}

/* A program killed by a signal: the trace up to the crash is written and the signal reported. */
TEST_F(CaptureTest, ACrashKeepsTheTraceAndReportsTheSignal) {
    Result r = mtesim({"trace", "capture", "crash.trace", "--", "./bugs", "crash"}, s_dir);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("./bugs was killed by signal 11 (SIGSEGV)"), std::string::npos) << r.err;
    const auto lines = lines_of(slurp(s_dir / "crash.trace"));
    std::size_t at = 0;
    const std::string h = handle_of(lines, 136, &at);
    ASSERT_NE(h, "");
    EXPECT_NE(line_of(lines, "^1 free " + h + "$", at), 0u) << "the events before the crash are in the trace";
    fs::remove(s_dir / "crash.trace");
}

/* SIGINT to mtesim stops the capture: the trace up to then is written and readable, stderr
 * says so, the exit status is 128 + 2 and no temporary file is left. */
TEST_F(CaptureTest, SigintWritesAPartialTraceAndLeavesNoTemporaries) {
    const fs::path dir = s_dir / "sigint";
    fs::create_directories(dir);
    const pid_t pid = start({MTESIM_BINARY, "trace", "capture", "partial.mtb", "--", (s_dir / "bugs").string(), "forever"}, dir);
    // Wait until mtegrind has flushed some of the trace (its buffer is 64 KiB), at most 20 s.
    for (int i = 0; i < 200 && !(fs::exists(dir / "partial.mtb.capture.mtb") && fs::file_size(dir / "partial.mtb.capture.mtb") > 16); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(fs::exists(dir / "partial.mtb.capture.mtb")) << "the capture did not start";
    kill(pid, SIGINT);
    Result r = finish(pid, dir);
    EXPECT_EQ(r.status, 130) << r.err;
    EXPECT_NE(r.err.find("mtesim trace capture: interrupted by signal 2 (SIGINT)"), std::string::npos) << r.err;
    std::vector<std::string> left;
    for (const auto &e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{"partial.mtb"}) << "only the trace is left";
    Result stat = mtesim({"trace", "stat", "partial.mtb"}, dir);
    EXPECT_EQ(stat.status, 0) << stat.err;
    EXPECT_NE(stat.out.find(" malloc "), std::string::npos) << stat.out;
    EXPECT_NE(stat.out.find(" free "), std::string::npos) << stat.out;
    fs::remove_all(dir);
}

/* An ELF program for another machine: one line naming it, exit status 2, no temporaries. */
TEST_F(CaptureTest, AProgramForAnotherMachineIsOneLine) {
    // An ELF64 header of an AArch64 executable (e_machine 183): enough for the check.
    std::string elf = std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(9, '\0');
    elf += std::string("\x02\x00\xb7\x00", 4) + std::string(44, '\0');
    std::ofstream(s_dir / "arm64-program", std::ios::binary) << elf;
    fs::permissions(s_dir / "arm64-program", fs::perms::owner_all);
    Result r = mtesim({"trace", "capture", "x.trace", "--", "./arm64-program"}, s_dir);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(r.err, "mtesim trace capture: './arm64-program' is an ELF program for machine 183, expected an x86-64 Linux "
                     "program (EM_X86_64, 62)\n");
    EXPECT_FALSE(fs::exists(s_dir / "x.trace"));
}

/* Valgrind itself failing (here: the program overflows a chunk by 300 bytes, past its redzone,
 * into the metadata of Valgrind's arena, and Valgrind's allocator then crashes): Valgrind's own
 * message is given, not a guess, the trace up to mtegrind's last write is kept, exit status 1. */
TEST_F(CaptureTest, AValgrindFailureIsReportedWithValgrindsMessage) {
    std::ofstream(s_dir / "smash.c") << "#include <stdlib.h>\n#include <string.h>\nint main(void) {\n"
                                        "  char *a = malloc(48), *b = malloc(48);\n  memset(a, 0x41, 300);\n  free(b);\n"
                                        "  for (int i = 0; i < 100; i++) free(malloc(40 + i));\n  return 0;\n}\n";
    ASSERT_EQ(run({"gcc", "-O0", "-w", "-o", "smash", "smash.c"}, s_dir).status, 0);
    Result r = mtesim({"trace", "capture", "smash.trace", "--", "./smash"}, s_dir);
    if (r.status == 0) GTEST_SKIP() << "this Valgrind's arena survived the overflow: " << r.err;
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("valgrind: "), std::string::npos) << "Valgrind's own lines: " << r.err;
    EXPECT_NE(r.err.find("mtesim trace capture: valgrind failed while running ./smash (it "), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("expected an x86-64"), std::string::npos) << r.err;
    EXPECT_EQ(mtesim({"trace", "stat", "smash.trace"}, s_dir).status, 0) << "the trace kept is readable";
    EXPECT_FALSE(fs::exists(s_dir / "smash.trace.capture.mtb"));
    EXPECT_FALSE(fs::exists(s_dir / "smash.trace.capture.log"));
}

}  // namespace
