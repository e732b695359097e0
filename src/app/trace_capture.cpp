// TraceCapture: see the header.
#include "app/trace_capture.h"

#include "app/trace_command.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/trace/binary_trace_reader.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char **environ;

namespace mtesim {

namespace {

volatile sig_atomic_t g_signal = 0; /* SIGINT or SIGTERM received during the capture */
volatile pid_t g_child = 0;         /* valgrind, while it runs */

/* SIGINT/SIGTERM during a capture: noted, and passed on to Valgrind when it was sent to mtesim
 * alone (kill, SI_USER). A terminal's Ctrl-C (SI_KERNEL) already reached the whole foreground
 * process group, Valgrind included: passing it on would deliver it twice. Valgrind gives the
 * signal to the program; when that ends the program, Valgrind still runs mtegrind's fini, which
 * writes out the trace. */
void on_signal(int sig, siginfo_t *info, void *) {
    g_signal = sig;
    if (g_child > 0 && (info->si_code == SI_USER || info->si_code == SI_QUEUE)) kill(g_child, sig);
}

/* Installs on_signal for SIGINT and SIGTERM for its lifetime, and puts the old handlers back. */
class SignalGuard {
public:
    SignalGuard() {
        g_signal = 0;
        struct sigaction sa {};
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &m_int);
        sigaction(SIGTERM, &sa, &m_term);
    }
    ~SignalGuard() {
        g_child = 0;
        sigaction(SIGINT, &m_int, nullptr);
        sigaction(SIGTERM, &m_term, nullptr);
    }
    SignalGuard(const SignalGuard &) = delete;
    SignalGuard &operator=(const SignalGuard &) = delete;

private:
    struct sigaction m_int {}, m_term {};
};

std::string signal_name(int sig) {
    const char *abbrev = sigabbrev_np(sig);
    return std::to_string(sig) + (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
}

/* How the program (Valgrind mirrors it: it exits with the program's status and kills itself
 * with the program's fatal signal) ended. */
std::string status_text(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + signal_name(WTERMSIG(status));
    return "ended with wait status " + std::to_string(status);
}

/* The lines of Valgrind's log (--log-file), without their "==PID== " prefix. */
std::vector<std::string> log_lines(const std::string &path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);) {
        for (const char *mark : {"==", "--"}) /* "==PID== " (messages), "--PID-- " (internal errors) */
            if (l.rfind(mark, 0) == 0) {
                const auto e = l.find(std::string(mark) + " ", 2);
                if (e != std::string::npos) l = l.substr(e + 3);
                else if (l.size() >= 2 && l.compare(l.size() - 2, 2, mark) == 0) l.clear();
            }
        if (!l.empty()) lines.push_back(l);
    }
    return lines;
}

/* Removes the capture's temporaries however run() leaves. */
struct Temporaries {
    std::vector<std::string> paths;
    ~Temporaries() {
        std::error_code ec;
        for (const auto &p : paths) std::filesystem::remove(p, ec);
    }
};

/* Where mtegrind was built or installed, relative to this executable; empty if absent. */
std::string capture_dir() {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "";
    for (const auto &d : {exe.parent_path().parent_path() / "capture", exe.parent_path().parent_path() / "libexec/mtesim/capture"})
        if (std::filesystem::exists(d / "mtegrind-amd64-linux")) return d.string();
    return "";
}

}  // namespace

std::uint64_t TraceCapture::cut_to_whole_records(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return 0;
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    constexpr std::uint64_t kHeader = 16, kRecord = 40;
    std::uint64_t pos = kHeader, good = size >= kHeader ? kHeader : 0;
    unsigned char rec[kRecord];
    while (pos + kRecord <= size && std::fseek(f, static_cast<long>(pos), SEEK_SET) == 0 && std::fread(rec, 1, kRecord, f) == kRecord) {
        std::uint64_t next = pos + kRecord;
        if (rec[0] == 0xff) { /* a name definition: its text follows, padded to 8 bytes */
            std::uint64_t len = 0;
            std::memcpy(&len, rec + 32, 8);
            next += (len + 7) & ~std::uint64_t(7);
        }
        if (next > size) break;
        pos = good = next;
    }
    std::fclose(f);
    if (good < size) std::filesystem::resize_file(path, good, ec);
    return good;
}

/*
 * The capture: checks the options, starts Valgrind with mtegrind (its messages to a log file,
 * so that the program's stderr stays the program's), waits for it with SIGINT/SIGTERM caught,
 * then decides from how it ended and from the log what happened:
 *   - mtegrind's summary is in the log: the program ran to its end (exit, crash, or a signal,
 *     our SIGINT/SIGTERM included) and mtegrind wrote the whole trace;
 *   - no summary: Valgrind itself failed (it never ran mtegrind's fini); its message is given,
 *     and whatever trace was flushed before is kept, cut to its last whole record.
 * The trace is then read back and written as OUT; the temporaries go in every case.
 */
int TraceCapture::run(const Options &o, const std::vector<std::string> &program, std::ostream &err) {
    const std::string dir = capture_dir();
    if (dir.empty())
        throw ConfigError("mtesim trace capture: the capture tool (mtegrind) was not built, expected valgrind's tool "
                          "libraries (Debian package valgrind) when mtesim was configured");
    if (o.accesses != "heap" && o.accesses != "all")
        throw ConfigError("mtesim trace capture: --accesses '" + o.accesses + "', expected heap or all");
    if (o.tcf != "none" && o.tcf != "sync" && o.tcf != "async" && o.tcf != "asymm")
        throw ConfigError("mtesim trace capture: --tcf '" + o.tcf + "', expected none, sync, async or asymm");
    if (o.quarantine_mb > (1u << 20))
        throw ConfigError("mtesim trace capture: --quarantine-mb " + std::to_string(o.quarantine_mb) +
                          ", expected 0 to 1048576 MiB");
    if (o.redzone < 16 || o.redzone > 4096 || (o.redzone & (o.redzone - 1)))
        throw ConfigError("mtesim trace capture: --redzone " + std::to_string(o.redzone) +
                          ", expected a power of two from 16 to 4096 bytes");
    // The program must exist (valgrind's own complaint would not be one clear line).
    const std::string &prog = program.front();
    std::string resolved;
    if (prog.find('/') != std::string::npos) {
        if (access(prog.c_str(), X_OK) == 0) resolved = prog;
    } else if (const char *path = std::getenv("PATH")) {
        std::istringstream dirs(path);
        for (std::string d; resolved.empty() && std::getline(dirs, d, ':');)
            if (access((d + "/" + prog).c_str(), X_OK) == 0) resolved = d + "/" + prog;
    }
    if (resolved.empty())
        throw ConfigError("mtesim trace capture: '" + prog + "' not found, expected an executable program (a path, or a name on PATH)");
    // An ELF program for another machine: Valgrind's launcher would only say it has no tool
    // for that platform. (Scripts and x86-64 programs go on; Valgrind follows a #! line.)
    unsigned char ident[20] = {};
    if (std::FILE *f = std::fopen(resolved.c_str(), "rb")) {
        const std::size_t n = std::fread(ident, 1, sizeof ident, f);
        std::fclose(f);
        const unsigned machine = ident[18] | ident[19] << 8;
        if (n == sizeof ident && std::memcmp(ident, "\x7f" "ELF", 4) == 0 && (ident[4] != 2 || machine != 62))
            throw ConfigError("mtesim trace capture: '" + prog + "' is an ELF program for machine " + std::to_string(machine) +
                              (ident[4] != 2 ? " (32-bit)" : "") + ", expected an x86-64 Linux program (EM_X86_64, 62)");
    }

    const std::string raw = o.out_path + ".capture.mtb", log = o.out_path + ".capture.log";
    Temporaries temporaries{{raw, log}};
    std::vector<std::string> argv = {"valgrind", "-q", "--tool=mtegrind", "--log-file=" + log, "--out=" + raw,
                                     "--accesses=" + o.accesses, "--tcf=" + o.tcf,
                                     "--quarantine-mb=" + std::to_string(o.quarantine_mb),
                                     "--redzone-size=" + std::to_string(o.redzone), "--"};
    argv.insert(argv.end(), program.begin(), program.end());
    std::vector<char *> cargv;
    for (auto &a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> env = {"VALGRIND_LIB=" + dir};
    for (char **e = environ; *e; ++e)
        if (std::strncmp(*e, "VALGRIND_LIB=", 13) != 0) env.emplace_back(*e);
    std::vector<char *> cenv;
    for (auto &e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    int interrupted = 0;
    {
        SignalGuard guard;
        pid_t pid = 0;
        if (posix_spawnp(&pid, "valgrind", nullptr, nullptr, cargv.data(), cenv.data()) != 0)
            throw ConfigError("mtesim trace capture: cannot start valgrind, expected it on PATH (Debian package valgrind)");
        g_child = pid;
        if (g_signal) kill(pid, g_signal); /* arrived between spawn and g_child */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        g_child = 0;
        interrupted = g_signal;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Valgrind's log: mtegrind's summary, and any message of Valgrind's own.
    const std::vector<std::string> lines = log_lines(log);
    std::string summary, exec_file; /* mtegrind's summary; the last program it saw executed */
    std::vector<std::string> messages;
    for (const auto &l : lines) {
        if (l.rfind("mtegrind: execve ", 0) == 0) exec_file = l.substr(17);
        else if (l.rfind("mtegrind: ", 0) == 0) summary = l;
        else messages.push_back(l);
    }
    // No summary after an execve: the program replaced itself with one Valgrind does not follow
    // (a wrapper script, a shim), which ran to its end without Valgrind.
    const bool replaced = summary.empty() && !exec_file.empty();
    const bool valgrind_failed = summary.empty() && !replaced;
    std::error_code ec;
    const bool tool_started = std::filesystem::exists(raw, ec); /* mtegrind opened its output */
    std::string first_message = messages.empty() ? std::string() : messages.front();
    if (!tool_started) { /* Valgrind stopped before the program ran: its launcher's message is on stderr */
        throw ConfigError("mtesim trace capture: valgrind could not run '" + prog + "' (it " + status_text(status) +
                          "): " + (first_message.empty() ? "valgrind's message is above" : first_message));
    }
    if (first_message.empty()) first_message = "no message";
    if (summary.empty() || interrupted) cut_to_whole_records(raw);
    for (const auto &m : messages) err << "valgrind: " << m << "\n";

    std::uint64_t events = 0;
    {
        SignalGuard guard; /* a second Ctrl-C while the trace is written is noted, not fatal */
        BinaryTraceReader reader(raw);
        events = TraceCommand::write_trace(reader, o.out_path, o.compress);
    }
    if (!summary.empty()) err << summary << "\n";
    const std::string written = std::to_string(events) + " events in " + fixed(seconds, 2) + " s (" +
                                fixed(static_cast<double>(events) / std::max(seconds, 1e-9), 0) + " events/s) -> " +
                                o.out_path + " (" + std::to_string(std::filesystem::file_size(o.out_path)) + " bytes)";
    if (interrupted) {
        err << "mtesim trace capture: interrupted by signal " << signal_name(interrupted) << ": " << prog << " "
            << status_text(status) << "; the trace up to that point: " << written << "\n";
        return 128 + interrupted;
    }
    if (replaced) {
        err << "mtesim trace capture: " << prog << " replaced itself with " << exec_file
            << " (execve), which Valgrind does not follow (it " << status_text(status)
            << " without Valgrind); the trace up to the exec: " << written << "; capture the program that does the work "
            << "itself (for a script or a wrapper such as a pyenv shim, the interpreter or program it starts)\n";
        return 1;
    }
    if (valgrind_failed) {
        err << "mtesim trace capture: valgrind failed while running " << prog << " (it " << status_text(status)
            << "): " << first_message << "; the trace up to mtegrind's last write (every 64 KiB): " << written << "\n";
        return 1;
    }
    err << "mtesim trace capture: " << prog << " " << status_text(status) << "; " << written << "\n";
    return 0;
}

}  // namespace mtesim
