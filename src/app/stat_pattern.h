// StatPattern: a statistic named on the command line (`mtesim compare --stat`): an exact name
// of stats.json, or a name with one `*` that stands for any run of characters, whose value is
// the sum of every statistic it matches (`board.cpu@*.tlb_flush_cycles`: the whole machine's).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace mtesim {

class StatPattern {
public:
    /// Throws ConfigError (naming @option) unless @text is a statistic name of letters, digits
    /// and `._@-`, with at most one `*`.
    StatPattern(std::string text, const std::string &option);

    const std::string &text() const { return m_text; }
    bool matches(const std::string &name) const;
    /// The sum of the statistics of @stats that match; nullopt when none does.
    std::optional<double> sum(const std::map<std::string, double> &stats) const;

private:
    std::string m_text;
    std::string m_prefix, m_suffix; /* around the `*`; the whole name when there is none */
    bool m_wild = false;
};

}  // namespace mtesim
