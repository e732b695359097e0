// The system tests' shared helpers: run the mtesim executable under test (MTESIM_BINARY) as a
// child process with its stdout and stderr captured, and read a file whole. Each test file
// used to carry its own copy of these.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mtesim::systest {

/// What a run of mtesim gave: its exit status (128 + signal when killed) and its output.
struct Result {
    int status = -1;
    std::string out, err;
};

inline std::string slurp(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Runs mtesim with @args, in working directory @cwd (nullptr: this process's) and with
/// @path_env as PATH (nullptr: unchanged), capturing stdout and stderr.
inline Result run_mtesim(const std::vector<std::string> &args, const char *cwd, const char *path_env) {
    const auto tmp = std::filesystem::temp_directory_path() / ("mtesim-run-" + std::to_string(getpid()));
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    const std::string out = (tmp / "out").string(), err = (tmp / "err").string();
    pid_t pid = fork();
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0) _exit(126);
        int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        if (path_env) setenv("PATH", path_env, 1);
        std::vector<char *> argv{const_cast<char *>(MTESIM_BINARY)};
        for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv(MTESIM_BINARY, argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    Result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = slurp(err);
    std::filesystem::remove_all(tmp);
    return r;
}

}  // namespace mtesim::systest
