// A run in a child process, for the model tests that compare two simulations: a SystemC design
// elaborates once per process, so a run whose figures another run needs (a probe, a
// comparison) is made in a forked child, which sends its plain figures back through a pipe.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <type_traits>

namespace mtesim::test {

template <class T>
T in_child(const std::function<T()> &f) {
    static_assert(std::is_trivially_copyable<T>::value, "figures only");
    int fd[2];
    if (pipe(fd) != 0) {
        ADD_FAILURE() << "pipe() failed";
        return T{};
    }
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        const T v = f();
        const ssize_t n = write(fd[1], &v, sizeof v);
        _exit(n == static_cast<ssize_t>(sizeof v) ? 0 : 1);
    }
    close(fd[1]);
    T v{};
    const ssize_t n = read(fd[0], &v, sizeof v);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_EQ(n, static_cast<ssize_t>(sizeof v)) << "the child run sent its figures";
    return v;
}

} // namespace mtesim::test
