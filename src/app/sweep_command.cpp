// SweepCommand: see the header.
#include "app/sweep_command.h"

#include "app/command_line.h"
#include "app/grid_runner.h"
#include "app/seed_summary.h"
#include "app/stat_pattern.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mtesim {

namespace {

std::string shell_quote(const std::string &s) {
    std::string o = "'";
    for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

/// The self path of this executable, for the cluster scripts.
std::string self_path() {
    std::error_code ec;
    const auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("mtesim") : p.string();
}

bool on_path(const std::string &program) {
    const char *path = std::getenv("PATH");
    std::stringstream ss(path ? path : "");
    for (std::string d; std::getline(ss, d, ':');)
        if (!d.empty() && access((fs::path(d) / program).c_str(), X_OK) == 0) return true;
    return false;
}

}  // namespace

int SweepCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim sweep: run the compare grid over several boards and traces\n\n"
                                 "Usage: mtesim sweep [--board B]... [--trace T]... --vary KEY=V1,V2 [--vary ...] --out DIR [-j N]\n"
                                 "       [--slurm | --point K | --merge]\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::vector<std::string>>()->composing(), "board; repeatable (default: the built-in board)")
        ("trace,t", po::value<std::vector<std::string>>()->composing(), "workload trace; repeatable (default: the generated workload)")
        ("vary", po::value<std::vector<std::string>>()->composing(), "section.key=v1,v2,...: one axis of the grid; repeatable")
        ("out,o", po::value<std::string>(), "output directory (results are resumed from it)")
        ("jobs,j", po::value<unsigned>()->default_value(1), "points run at once")
        ("slurm", "write DIR/sweep.sbatch (a Slurm job array, one run per task) and DIR/merge.sh instead of running")
        ("point", po::value<unsigned>(), "run only run K here (point K / seeds, seed K % seeds; what each Slurm task does)")
        ("merge", "only aggregate the points' results into DIR/sweep.csv")
        ("stat", po::value<std::vector<std::string>>()->composing(),
         "a statistic of stats.json to add as a column (one '*' sums every one it matches: board.cpu@*.kernel_cycles); repeatable")
        ("seeds", po::value<unsigned>()->default_value(1),
         "runs per point with seeds sim.seed, sim.seed+1, ... and mm.shuffle=true; sweep.csv shows mean and sd");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("sweep", args, opts);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    if (!vm.count("vary") || !vm.count("out")) throw ConfigError("mtesim sweep: --vary and --out are required (see mtesim sweep --help)");
    const unsigned jobs = vm["jobs"].as<unsigned>();
    if (jobs == 0 || jobs > 256) throw ConfigError("mtesim sweep: -j " + std::to_string(jobs) + ", expected 1 to 256");
    const unsigned seeds = vm["seeds"].as<unsigned>();
    if (seeds == 0 || seeds > 1000) throw ConfigError("mtesim sweep: --seeds " + std::to_string(seeds) + ", expected 1 to 1000");
    const ConfigStore store = CommandLine::settings(vm);
    const std::uint64_t first_seed = ConfigStore(store).get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
    const auto boards = vm.count("board") ? vm["board"].as<std::vector<std::string>>() : std::vector<std::string>{BuiltInBoards::kDefault};
    const auto traces = vm.count("trace") ? vm["trace"].as<std::vector<std::string>>() : std::vector<std::string>{""};
    for (const auto &b : boards) BoardLoader::load(b); /* bad boards are reported before any run */
    const auto grid = GridRunner::expand("sweep", vm["vary"].as<std::vector<std::string>>());
    std::vector<StatPattern> extra;
    if (vm.count("stat"))
        for (const auto &s : vm["stat"].as<std::vector<std::string>>()) extra.emplace_back(s, "mtesim sweep: --stat");

    // Points, numbered: per board x trace, the static baseline then the grid.
    const fs::path dir(vm["out"].as<std::string>());
    std::vector<GridPoint> points;
    std::vector<std::size_t> baseline_of; /* index of each point's baseline */
    for (const auto &b : boards)
        for (const auto &t : traces) {
            GridPoint base;
            base.label = "static carve-out";
            base.sets = {{"mm.tag_storage", "static"}};
            const std::size_t bi = points.size();
            for (std::size_t g = 0; g <= grid.size(); ++g) {
                GridPoint p = g == 0 ? base : grid[g - 1];
                p.board = b;
                p.trace = t;
                char name[16];
                std::snprintf(name, sizeof name, "%05zu", points.size());
                p.dir = dir / "points" / name;
                points.push_back(p);
                baseline_of.push_back(bi);
            }
        }
    std::error_code ec;
    fs::create_directories(dir / "points", ec);
    if (ec) throw ConfigError(dir.string() + ": cannot create the output directory (" + ec.message() + ")");
    // Runs: each point's seeds in a row (points/NNNNN/seedK); a Slurm task runs one of them.
    std::vector<GridPoint> runs = GridRunner::with_seeds(points, seeds, first_seed);
    // grid.json: a resumed sweep, a cluster task or a merge must be of the grid that wrote it.
    GridRunner::record_grid(dir, "sweep", runs, seeds, /*check=*/true, /*must_exist=*/vm.count("merge") > 0);

    if (vm.count("point")) {
        const unsigned k = vm["point"].as<unsigned>();
        if (k >= runs.size())
            throw ConfigError("mtesim sweep: --point " + std::to_string(k) + ", expected 0 to " + std::to_string(runs.size() - 1));
        const int status = GridRunner::run_here(runs[k], store);
        if (status) {
            std::ifstream e(runs[k].dir / "error.txt");
            std::stringstream msg;
            msg << e.rdbuf();
            throw ConfigError(msg.str());
        }
        return 0;
    }
    if (vm.count("slurm")) {
        // The same command line, minus the cluster switches, with --point from the array index.
        std::string base = shell_quote(self_path()) + " sweep";
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "--slurm" || args[i] == "--merge") continue;
            if (args[i] == "-j" || args[i] == "--jobs") { ++i; continue; }
            base += " " + shell_quote(args[i]);
        }
        std::ofstream sb(dir / "sweep.sbatch");
        sb << "#!/bin/bash\n# Generated by mtesim sweep --slurm: one array task per run (point x seed).\n"
           << "#SBATCH --job-name=mtesim-sweep\n#SBATCH --array=0-" << runs.size() - 1 << "\n#SBATCH --cpus-per-task=1\n"
           << "#SBATCH --output=" << (dir / "points" / "slurm-%a.log").string() << "\n"
           << "exec " << base << " --point \"$SLURM_ARRAY_TASK_ID\"\n";
        std::ofstream mg(dir / "merge.sh");
        mg << "#!/bin/bash\n# Generated by mtesim sweep --slurm: run after the job array, e.g.\n"
           << "#   sbatch --dependency=afterok:JOBID " << (dir / "merge.sh").string() << "\n"
           << "exec " << base << " --merge\n";
        sb.close();
        mg.close();
        chmod((dir / "sweep.sbatch").c_str(), 0755);
        chmod((dir / "merge.sh").c_str(), 0755);
        out << "mtesim sweep: " << runs.size() << " runs; submit with: sbatch " << (dir / "sweep.sbatch").string()
            << ", then run " << (dir / "merge.sh").string() << "\n";
        if (!on_path("sbatch"))
            out << "mtesim sweep: note: sbatch is not on PATH here; the scripts are written, submit them where Slurm is installed\n";
        return 0;
    }
    if (vm.count("merge")) GridRunner::collect(runs);
    else GridRunner::run(runs, store, jobs, /*resume=*/true);
    GridRunner::add_patterns(runs, extra, "sweep");
    const SeedSummary sum(runs, seeds, baseline_of);
    const bool spread = seeds > 1;

    std::ostringstream csv;
    std::vector<std::string> cols = {"sim.time_ps", "mm.reserve.fast", "mm.reserve.slow", "mm.reserve.failed", "mm.reserve.refcount_hits",
                                     "mm.pages_migrated", "mm.ipis", "mm.starvation", "mm.pool.peak_data_pages", "sim.faults"};
    for (const StatPattern &p : extra) cols.push_back(p.text());
    csv << "point,board,trace,settings,slowdown" << (spread ? ",slowdown.sd" : "");
    for (const std::string &c : cols) csv << "," << c << (spread ? "," + c + ".sd" : "");
    csv << "\n";
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto &p = points[i];
        const SeedSummary::Spread slow = sum.slowdown(i);
        csv << p.dir.filename().string() << ",\"" << p.board << "\",\"" << (p.trace.empty() ? "generated" : p.trace) << "\",\""
            << p.label << "\"," << fixed(slow.mean, 4);
        if (spread) csv << "," << fixed(slow.sd, 4);
        for (const std::string &c : cols) {
            const SeedSummary::Spread v = sum.stat(i, c);
            csv << "," << fixed(v.mean, spread ? 1 : 0);
            if (spread) csv << "," << fixed(v.sd, 1);
        }
        csv << "\n";
    }
    const fs::path tmp = dir / "sweep.csv.tmp";
    std::ofstream(tmp) << csv.str();
    fs::rename(tmp, dir / "sweep.csv", ec);
    out << csv.str();
    return 0;
}

}  // namespace mtesim
