// DtcCompiler: fork + exec of dtc with its output and diagnostics sent to files in a private
// temporary directory (no shell, so any file name is safe), then read back.
#include "mtesim/dt/dtc_compiler.h"

#include "mtesim/common/config_error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#ifndef MTESIM_DTC_PATH
#define MTESIM_DTC_PATH "dtc"
#endif

namespace mtesim {

namespace {

std::string read_text(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// dtc prints "Error: FILE:LINE.COL-COL syntax error"; keep the first such line, reworded.
std::string first_error(const std::string &stderr_text, const std::string &dts_path) {
    std::istringstream lines(stderr_text);
    std::string line, fallback;
    while (std::getline(lines, line)) {
        if (line.rfind("Error: ", 0) == 0) return line.substr(7) + " (dtc), expected valid device tree source";
        if (fallback.empty() && !line.empty()) fallback = line;
    }
    if (fallback.rfind("FATAL ERROR: ", 0) == 0) fallback = fallback.substr(13);
    return dts_path + ": " + (fallback.empty() ? "dtc failed" : fallback) + " (dtc)";
}

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mtesim-dtc-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw ConfigError("cannot create a temporary directory for dtc");
        m_path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
};

}  // namespace

std::vector<std::uint8_t> DtcCompiler::compile(const std::string &dts_path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dts_path, ec))
        throw ConfigError(dts_path + ": no such file, expected a device tree source (.dts)");

    TempDir dir;
    const std::string out = dir.path() + "/board.dtb";
    const std::string err = dir.path() + "/dtc.stderr";
    const char *dtc = access(MTESIM_DTC_PATH, X_OK) == 0 ? MTESIM_DTC_PATH : "dtc";

    pid_t pid = fork();
    if (pid < 0) throw ConfigError(dts_path + ": cannot start dtc (fork failed)");
    if (pid == 0) {
        int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = open("/dev/null", O_RDWR);
        if (fd >= 0) dup2(fd, 2);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); }
        execlp(dtc, dtc, "-q", "-I", "dts", "-O", "dtb", "-o", out.c_str(), dts_path.c_str(),
               static_cast<char *>(nullptr));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw ConfigError(dts_path + ": lost the dtc child process");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            throw ConfigError(dts_path + ": cannot run dtc, expected the device-tree-compiler package "
                                         "(scripts/install-deps.sh)");
        throw ConfigError(first_error(read_text(err), dts_path));
    }
    std::ifstream in(out, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace mtesim
