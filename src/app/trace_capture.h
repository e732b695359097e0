// TraceCapture: `mtesim trace capture OUT -- PROGRAM [ARGS...]` runs PROGRAM under Valgrind
// with the mtegrind tool (tools/mtegrind/mg_main.c), which writes its heap calls and accesses
// as a binary trace, then reads that trace back (so it is checked like any trace) and writes
// OUT in the format its name asks for (docs/trace-format.md, "Capture of real programs").
//
// The capture ends cleanly whatever the program does: a program that exits, crashes or is
// killed by a signal gets its trace up to that point and its status on stderr; SIGINT or
// SIGTERM to mtesim stop the program, and the trace up to then is written (exit status 128 +
// the signal); a failure of Valgrind itself is reported with Valgrind's own message, and a
// program that replaces itself (execve) by one Valgrind does not follow is named. Every
// line of mtesim's goes to stderr, so the program's stdout stays its own.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class TraceCapture {
public:
    struct Options {
        std::string out_path;           /* OUT */
        std::string accesses = "heap";  /* heap | all */
        std::string tcf = "sync";       /* the recorded threads' tag-check mode */
        std::uint64_t quarantine_mb = 256; /* MiB of freed chunks held back (mtegrind --quarantine-mb) */
        std::uint64_t redzone = 16;     /* bytes of redzone each side of a chunk (valgrind --redzone-size) */
        bool compress = false;
    };

    /// Captures @program; messages go to @err. Returns mtesim's exit status (0; 128 + signal
    /// when interrupted; 1 when Valgrind failed after the program started or the program
    /// replaced itself by exec). Throws
    /// ConfigError for bad options and when Valgrind cannot run the program at all.
    static int run(const Options &options, const std::vector<std::string> &program, std::ostream &err);

    /// Cuts the raw mtegrind trace at @path after its last whole record (a capture stopped by
    /// a crash of Valgrind may end mid-record). Returns the bytes kept.
    static std::uint64_t cut_to_whole_records(const std::string &path);
};

}  // namespace mtesim
