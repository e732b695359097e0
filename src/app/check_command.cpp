// CheckCommand: see the header. A tolerance pattern is a stat name, or a prefix ending in '*'
// ("board.cpu@0.*", "*"); the longest matching pattern applies.
#include "app/check_command.h"

#include "app/command_line.h"
#include "app/stats_file.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

namespace {

struct Tolerance {
    std::string pattern;
    double fraction; /* allowed relative change */
};

Tolerance parse_tolerance(const std::string &t) {
    const auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0 || t.back() != '%')
        throw ConfigError("mtesim check: --tolerance '" + t + "', expected NAME=PCT% or PREFIX*=PCT% (e.g. mm.*=5%)");
    const std::string pct = t.substr(eq + 1, t.size() - eq - 2);
    char *end = nullptr;
    const double v = std::strtod(pct.c_str(), &end);
    if (pct.empty() || *end || !(v >= 0) || !std::isfinite(v))
        throw ConfigError("mtesim check: --tolerance '" + t + "', expected a non-negative percentage");
    return {t.substr(0, eq), v / 100.0};
}

double tolerance_of(const std::string &name, const std::vector<Tolerance> &tols) {
    double best = 0;
    std::size_t best_len = 0;
    bool found = false;
    for (const auto &t : tols) {
        const bool prefix = !t.pattern.empty() && t.pattern.back() == '*';
        const std::string p = prefix ? t.pattern.substr(0, t.pattern.size() - 1) : t.pattern;
        const bool match = prefix ? name.compare(0, p.size(), p) == 0 : name == p;
        if (match && (!found || p.size() + (prefix ? 0 : 1) > best_len)) {
            best = t.fraction;
            best_len = p.size() + (prefix ? 0 : 1);
            found = true;
        }
    }
    return best;
}

}  // namespace

int CheckCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim check: compare a run's stats with a baseline (regression test)\n\n"
                                 "Usage: mtesim check --baseline OLD/stats.json --run NEW/stats.json [--tolerance NAME=PCT%]...\n\n"
                                 "Exit status: 0 nothing moved, 1 some stat moved beyond its tolerance, 2 bad input.\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("baseline", po::value<std::string>(), "the reference stats.json")
        ("run", po::value<std::string>(), "the stats.json to check")
        ("tolerance,t", po::value<std::vector<std::string>>()->composing(),
         "allowed relative change: NAME=PCT% or PREFIX*=PCT%; default 0% (exact); repeatable, the longest match wins");
    po::variables_map vm = CommandLine::parse("check", args, opts);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    if (!vm.count("baseline") || !vm.count("run"))
        throw ConfigError("mtesim check: --baseline and --run are required (see mtesim check --help)");
    std::vector<Tolerance> tols;
    if (vm.count("tolerance"))
        for (const auto &t : vm["tolerance"].as<std::vector<std::string>>()) tols.push_back(parse_tolerance(t));
    const auto base = StatsFile::read(vm["baseline"].as<std::string>());
    const auto run = StatsFile::read(vm["run"].as<std::string>());

    std::ostringstream text;
    std::size_t moved = 0, width = 4;
    for (const auto &[name, v] : base) width = std::max(width, name.size());
    text << "stat" << std::string(width - 4 + 2, ' ') << "baseline        run             change   tolerance\n";
    for (const auto &[name, old] : base) {
        const auto it = run.find(name);
        const double tol = tolerance_of(name, tols);
        if (it == run.end()) {
            ++moved;
            text << name << std::string(width - name.size() + 2, ' ') << "missing from the run\n";
            continue;
        }
        const double now = it->second;
        const double change = old == 0 ? (now == 0 ? 0 : INFINITY) : (now - old) / std::fabs(old);
        if (std::fabs(change) <= tol) continue;
        ++moved;
        char line[160];
        std::snprintf(line, sizeof line, "%-16.6g%-16.6g%+7.2f%%  %.2f%%", old, now, 100 * change, 100 * tol);
        text << name << std::string(width - name.size() + 2, ' ') << line << "\n";
    }
    if (moved == 0) {
        out << "mtesim check: " << base.size() << " stats within tolerance\n";
        return 0;
    }
    out << text.str() << "mtesim check: " << moved << " of " << base.size() << " stats moved beyond tolerance\n";
    return 1;
}

}  // namespace mtesim
