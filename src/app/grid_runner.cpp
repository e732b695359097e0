// GridRunner: see the header.
#include "app/grid_runner.h"

#include "app/run_command.h"
#include "app/stats_export.h"
#include "app/stats_file.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/dt/board_loader.h"
#include "platform/platform.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace mtesim {

std::vector<GridPoint> GridRunner::expand(const std::string &command, const std::vector<std::string> &varies) {
    std::vector<GridPoint> points(1);
    for (const auto &v : varies) {
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
            throw ConfigError("mtesim " + command + ": --vary '" + v + "', expected section.key=value1,value2,...");
        const std::string key = v.substr(0, eq);
        std::vector<std::string> values;
        std::stringstream ss(v.substr(eq + 1));
        for (std::string x; std::getline(ss, x, ',');)
            if (!x.empty()) values.push_back(x);
        std::vector<GridPoint> next;
        for (const auto &p : points)
            for (const auto &x : values) {
                GridPoint q = p;
                q.sets.emplace_back(key, x);
                q.label += (q.label.empty() ? "" : " ") + key + "=" + x;
                q.values += (q.values.empty() ? "" : " / ") + x;
                next.push_back(q);
            }
        points = next;
    }
    return points;
}

/* One run: its stats and pool series written to @p.dir; on bad input the message goes to
 * error.txt and the status is 2. */
int GridRunner::run_here(const GridPoint &p, const ConfigStore &base) {
    std::error_code ec;
    fs::create_directories(p.dir, ec);
    fs::remove(p.dir / "error.txt", ec);
    try {
        ConfigStore store = base;
        for (const auto &[k, v] : p.sets) store.set(k, v, "--vary", ConfigStore::Layer::command_line);
        const PlatformDesc desc = BoardLoader::load(p.board);
        std::string name;
        const auto start = std::chrono::steady_clock::now();
        auto source = RunCommand::workload_for(store, desc, p.trace.empty() ? nullptr : &p.trace, name);
        Platform platform("board", desc, store, std::move(source));
        platform.settings().check_unknown_keys();
        const RunResult r = platform.run();
        const double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::ofstream pool(p.dir / "pool.csv");
        pool << "time_ps,data_pages,tag_pages,free_pages\n";
        for (const auto &s : r.pool_samples) pool << s.time_ps << "," << s.data_pages << "," << s.tag_pages << "," << s.free_pages << "\n";
        pool.close();
        StatsExport(r, desc.source, name).write(p.dir.string(), platform.settings(), host); /* stats.json last: marks done */
        return 0;
    } catch (const std::exception &e) {
        std::ofstream(p.dir / "error.txt") << e.what();
        return 2;
    }
}

void GridRunner::run(std::vector<GridPoint> &points, const ConfigStore &store, unsigned jobs, bool resume) {
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    std::string first_error;
    while (next < points.size() || !running.empty()) {
        while (next < points.size() && running.size() < jobs) {
            if (resume && fs::exists(points[next].dir / "stats.json")) {
                ++next;
                continue;
            }
            std::fflush(nullptr);
            const pid_t pid = fork();
            if (pid < 0) throw ConfigError("cannot fork a run");
            if (pid == 0) {
                const int status = run_here(points[next], store);
                std::fflush(nullptr);
                _exit(status);
            }
            running[pid] = next++;
        }
        if (running.empty()) break;
        int status = 0;
        const pid_t done = wait(&status);
        if (done < 0) break;
        const std::size_t i = running[done];
        running.erase(done);
        if (first_error.empty() && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
            std::ifstream e(points[i].dir / "error.txt");
            std::stringstream msg;
            msg << e.rdbuf();
            first_error = msg.str().empty() ? "the run of '" + points[i].label + "' did not complete" : msg.str();
        }
    }
    if (!first_error.empty()) throw ConfigError(first_error);
    collect(points);
}

void GridRunner::add_patterns(std::vector<GridPoint> &runs, const std::vector<StatPattern> &patterns, const std::string &command) {
    for (const StatPattern &p : patterns) {
        if (runs.empty()) return;
        if (!p.sum(runs.front().stats))
            throw ConfigError("mtesim " + command + ": --stat '" + p.text() + "': no statistic of that name in " +
                              (runs.front().dir / "stats.json").string() + " (docs/stats.md lists them)");
        for (GridPoint &r : runs) r.stats[p.text()] = p.sum(r.stats).value_or(0);
    }
}

void GridRunner::collect(std::vector<GridPoint> &points) {
    for (auto &p : points) p.stats = StatsFile::read((p.dir / "stats.json").string());
}

std::vector<GridPoint> GridRunner::with_seeds(const std::vector<GridPoint> &points, unsigned seeds, std::uint64_t first_seed) {
    if (seeds == 1) return points;
    std::vector<GridPoint> runs;
    for (const auto &p : points)
        for (unsigned k = 0; k < seeds; ++k) {
            GridPoint q = p;
            q.sets.emplace_back("mm.shuffle", "true");
            q.sets.emplace_back("sim.seed", std::to_string(first_seed + k));
            q.dir = p.dir / ("seed" + std::to_string(k));
            runs.push_back(q);
        }
    return runs;
}

void GridRunner::record_grid(const fs::path &dir, const std::string &command, const std::vector<GridPoint> &runs, unsigned seeds,
                             bool check, bool must_exist) {
    using nlohmann::ordered_json;
    ordered_json list = ordered_json::array();
    for (const auto &r : runs) {
        ordered_json sets = ordered_json::array();
        for (const auto &[k, v] : r.sets) sets.push_back({k, v});
        list.push_back({{"dir", fs::relative(r.dir, dir).generic_string()}, {"board", r.board}, {"trace", r.trace}, {"settings", sets}});
    }
    const ordered_json grid = {{"mtesim", 1}, {"command", command}, {"seeds", seeds}, {"runs", list}};
    const fs::path path = dir / "grid.json";
    const std::string where = path.string() + ": ";
    if (check && fs::exists(path)) {
        std::ifstream in(path);
        const ordered_json old = ordered_json::parse(in, nullptr, /*allow_exceptions=*/false);
        if (old.is_discarded() || !old.is_object())
            throw ConfigError(where + "not valid JSON, expected the grid.json mtesim " + command + " wrote");
        if (old != grid) {
            const auto n = [](const ordered_json &g, const char *k) { return g.contains(k) ? g[k].dump() : std::string("?"); };
            throw ConfigError(where + "written for a different grid (" + std::to_string(old.value("runs", ordered_json::array()).size()) +
                              " runs, seeds " + n(old, "seeds") + "; this command line has " + std::to_string(runs.size()) +
                              " runs, seeds " + std::to_string(seeds) + "), expected the same --board/--trace/--vary/--seeds or a new --out");
        }
        return;
    }
    if (must_exist && !fs::exists(path))
        throw ConfigError(where + "missing, expected the grid.json mtesim " + command + " writes before running its points");
    const fs::path tmp = path.string() + "." + std::to_string(getpid()) + ".tmp"; /* cluster tasks may race */
    std::ofstream(tmp) << grid.dump(2) << "\n";
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw ConfigError(where + "cannot write (" + ec.message() + ")");
}

}  // namespace mtesim
