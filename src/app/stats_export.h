// StatsExport: turns a RunResult into the flat list of named statistics (name, value, unit,
// description) that `mtesim run --out DIR` writes as stats.json and stats.txt, and the faults
// as faults.csv; also the effective configuration as config.ini. Every file is written to a
// temporary name and renamed, so an interrupted or failed run never leaves half a file.
// Host-time figures are kept apart ("host" in JSON) so the rest is byte-identical across runs.
#pragma once

#include "mtesim/config/config_store.h"
#include "platform/platform.h"

#include <string>
#include <vector>

namespace mtesim {

class StatsExport {
public:
    struct Stat {
        std::string name;
        double value;
        bool integer;
        std::string unit, description;
    };

    StatsExport(const RunResult &result, const std::string &board, const std::string &workload);

    const std::vector<Stat> &stats() const { return m_stats; }

    std::string json(double host_seconds) const;
    std::string text(double host_seconds) const;
    std::string faults_csv() const;
    static std::string config_ini(const ConfigStore &store);

    /// Writes stats.json, stats.txt, faults.csv and config.ini into @dir (created if needed).
    /// Throws ConfigError when @dir cannot be written.
    void write(const std::string &dir, const ConfigStore &store, double host_seconds) const;

private:
    /// The kernel model's counters (kernel.*).
    void add_kernel(const RunResult &r);
    void add(std::string name, double value, bool integer, std::string unit, std::string description);
    void add_count(std::string name, std::uint64_t v, std::string unit, std::string description) {
        add(std::move(name), static_cast<double>(v), true, std::move(unit), std::move(description));
    }

    const RunResult &m_result;
    std::string m_board, m_workload;
    std::vector<Stat> m_stats;
};

}  // namespace mtesim
