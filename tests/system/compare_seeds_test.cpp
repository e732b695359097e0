// `compare --seeds` and `sweep --seeds` (issue "Ecosystem"): every point runs over N seeds that
// vary the workload's random choices and the physical placement (mm.shuffle), the tables give
// mean and spread, the charts error bars, value labels and a marked baseline; the charts are
// valid SVG by a real XML parser (python3's xml.etree); bad input exits 2 with one line.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "expect_bad_input.h"
#include "run_mtesim.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::string kData = MTESIM_TEST_DATA_DIR;

using mtesim::systest::Result;
using mtesim::systest::expect_bad_input;
using mtesim::systest::slurp;

fs::path fresh_dir(const std::string &name) {
    const fs::path p = fs::temp_directory_path() / ("mtesim-seeds-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(p);
    return p;
}

/// Runs mtesim with @args and @path as PATH, capturing its output.
Result run_mtesim(const std::vector<std::string> &args, const char *path = nullptr) {
    return mtesim::systest::run_mtesim(args, nullptr, path);
}


std::vector<std::string> split(const std::string &line, char sep = ',') {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == sep && !quoted) { out.push_back(cur); cur.clear(); }
        else cur += c;
    }
    out.push_back(cur);
    return out;
}

/// The CSV as rows of cells, the header first.
std::vector<std::vector<std::string>> read_csv(const fs::path &p) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(slurp(p));
    for (std::string line; std::getline(in, line);) rows.push_back(split(line));
    return rows;
}

std::size_t column(const std::vector<std::string> &header, const std::string &name) {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    ADD_FAILURE() << "no column " << name;
    return 0;
}

/// Parses every file with python3's xml.etree (a real XML parser); "" or its complaint.
std::string xml_parse_errors(const std::vector<fs::path> &files) {
    std::string cmd = "python3 -c 'import sys, xml.etree.ElementTree as E\n"
                      "for f in sys.argv[1:]:\n"
                      "    r = E.parse(f).getroot()\n"
                      "    assert r.tag == \"{http://www.w3.org/2000/svg}svg\", f + \": root \" + r.tag\n'";
    for (const auto &f : files) cmd += " '" + f.string() + "'";
    cmd += " 2>&1";
    std::string out;
    if (FILE *p = popen(cmd.c_str(), "r")) {
        char buf[512];
        while (fgets(buf, sizeof buf, p)) out += buf;
        if (pclose(p) != 0 && out.empty()) out = "python3 failed";
    }
    return out;
}

}  // namespace

TEST(CompareSeeds, MeanSpreadErrorBarsAndValidCharts) {
    const fs::path d = fresh_dir("cmp");
    Result r = run_mtesim({"compare", "--set", "workload.accesses_per_thread=5000", "--vary", "mm.cma_policy=never,cma-first", "--seeds",
                           "3", "--out", d.string(), "-j", "2"});
    ASSERT_EQ(r.status, 0) << r.err;
    // Three runs per point, each with its own seed and shuffled free lists.
    for (const char *p : {"baseline", "p1", "p2"})
        for (int k = 0; k < 3; ++k) ASSERT_TRUE(fs::exists(d / "points" / p / ("seed" + std::to_string(k)) / "stats.json")) << p << k;
    EXPECT_NE(slurp(d / "points/p1/seed2/config.ini").find("shuffle = true"), std::string::npos);
    EXPECT_NE(slurp(d / "points/p1/seed2/config.ini").find("seed = 3"), std::string::npos) << "sim.seed 1, 2, 3";

    const auto rows = read_csv(d / "compare.csv");
    ASSERT_EQ(rows.size(), 4u) << "header, baseline and 2 points";
    const auto &h = rows[0];
    const std::size_t slow = column(h, "slowdown"), slow_sd = column(h, "slowdown.sd"), t = column(h, "sim.time_ps"),
                      t_sd = column(h, "sim.time_ps.sd");
    EXPECT_EQ(slow_sd, slow + 1);
    // The mean and the sd are those of the three runs' stats.json, computed here independently,
    // for the baseline (the static carve-out), whose simulated time the seeds move (shuffled
    // pages, random choices). Not every point's does: since munmap and MAP_FIXED walk only
    // mapped VMAs (session 29), this workload's cma-first point ends at the same picosecond on
    // all three seeds (why its placement does not move its time was not analysed).
    std::vector<double> times;
    for (int k = 0; k < 3; ++k) {
        const auto j = nlohmann::json::parse(slurp(d / "points/baseline" / ("seed" + std::to_string(k)) / "stats.json"));
        for (const auto &s : j.at("stats"))
            if (s.at("name") == "sim.time_ps") times.push_back(s.at("value").get<double>());
    }
    ASSERT_EQ(times.size(), 3u);
    const double mean = (times[0] + times[1] + times[2]) / 3;
    double ss = 0;
    for (double x : times) ss += (x - mean) * (x - mean);
    EXPECT_NEAR(std::stod(rows[1][t]), mean, 0.06);
    EXPECT_NEAR(std::stod(rows[1][t_sd]), std::sqrt(ss / 2), 0.06);
    EXPECT_GT(std::stod(rows[1][t_sd]), 0) << "the seeds moved the shuffled pages, so the simulated time";
    EXPECT_EQ(rows[1][slow], "1.0000");
    EXPECT_EQ(rows[1][slow_sd], "0.0000") << "the baseline over itself, seed by seed";

    const std::string md = slurp(d / "compare.md");
    EXPECT_NE(md.find(" ± "), std::string::npos) << md;
    EXPECT_NE(md.find("over 3 seeds"), std::string::npos) << md;

    // Charts: error bars (whiskers), value labels, the baseline marked, the axis not from 0.
    const std::string svg = slurp(d / "slowdown.svg");
    EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos) << "the baseline line";
    EXPECT_NE(svg.find(">static carve-out = 1<"), std::string::npos);
    EXPECT_NE(svg.find("<path d=\"M"), std::string::npos) << "error bars";
    char label[32];
    std::snprintf(label, sizeof label, ">%.4g<", std::stod(rows[2][slow]));
    EXPECT_NE(svg.find(label), std::string::npos) << "bar labelled " << label;
    std::smatch m;
    const std::regex tick("text-anchor=\"end\">([-0-9.e+]+)</text>");
    ASSERT_TRUE(std::regex_search(svg, m, tick));
    EXPECT_GT(std::stod(m[1]), 0.5) << "the slowdown axis starts near the data, not at 0";
    std::vector<fs::path> charts;
    for (const char *c : {"slowdown", "reservations", "migrations", "starvation", "pool"}) charts.push_back(d / (std::string(c) + ".svg"));
    EXPECT_EQ(xml_parse_errors(charts), "");
    const auto grid = nlohmann::json::parse(slurp(d / "grid.json"));
    EXPECT_EQ(grid.at("seeds"), 3);
    EXPECT_EQ(grid.at("runs").size(), 9u);

    // The same seeds give the same table.
    const fs::path again = fresh_dir("cmp-again");
    ASSERT_EQ(run_mtesim({"compare", "--set", "workload.accesses_per_thread=5000", "--vary", "mm.cma_policy=never,cma-first", "--seeds",
                          "3", "--out", again.string(), "-j", "2"}).status, 0);
    EXPECT_EQ(slurp(again / "compare.csv"), slurp(d / "compare.csv"));
    fs::remove_all(d);
    fs::remove_all(again);
}

TEST(CompareSeeds, BadSeedsAndMixedGrids) {
    const fs::path d = fresh_dir("bad");
    expect_bad_input(run_mtesim({"compare", "--vary", "mm.cma_policy=never", "--seeds", "0", "--out", d.string()}),
                     "mtesim compare: --seeds 0, expected 1 to 1000");
    expect_bad_input(run_mtesim({"sweep", "--vary", "mm.cma_policy=never", "--seeds", "0", "--out", d.string()}),
                     "mtesim sweep: --seeds 0, expected 1 to 1000");
    // A sweep's results, then a merge with another grid over them.
    const std::vector<std::string> grid = {"sweep", "--trace", kData + "/traces/use-after-free.trace", "--vary",
                                           "mm.cma_policy=never,cma-first", "--out", d.string()};
    auto with = [&](std::vector<std::string> extra, const char *path = nullptr) {
        std::vector<std::string> a = grid;
        a.insert(a.end(), extra.begin(), extra.end());
        return run_mtesim(a, path);
    };
    ASSERT_EQ(with({"--seeds", "2", "-j", "2"}).status, 0);
    const auto rows = read_csv(d / "sweep.csv");
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(column(rows[0], "slowdown.sd"), column(rows[0], "slowdown") + 1);
    ASSERT_EQ(with({"--seeds", "2", "--merge"}).status, 0) << "the same grid merges";
    EXPECT_EQ(read_csv(d / "sweep.csv"), rows);
    expect_bad_input(with({"--merge"}), (d / "grid.json").string() + ": written for a different grid");
    expect_bad_input(with({"--seeds", "3", "--merge"}), (d / "grid.json").string() + ": written for a different grid");
    std::vector<std::string> other = grid;
    other[4] = "mm.cma_policy=never,cma-last";
    other.insert(other.end(), {"--seeds", "2", "--merge"});
    expect_bad_input(run_mtesim(other), (d / "grid.json").string() + ": written for a different grid");
    fs::remove_all(d);
    // --slurm without sbatch on PATH: the scripts are written, with a note.
    Result s = with({"--slurm", "--seeds", "2"}, "/nonexistent");
    ASSERT_EQ(s.status, 0) << s.err;
    EXPECT_NE(s.out.find("note: sbatch is not on PATH"), std::string::npos) << s.out;
    EXPECT_NE(slurp(d / "sweep.sbatch").find("#SBATCH --array=0-5"), std::string::npos) << "3 points x 2 seeds";
    EXPECT_TRUE(fs::exists(d / "merge.sh"));
    fs::remove_all(d);
}

/* --stat: a statistic of stats.json becomes a column of compare.csv; one '*' sums every match
 * (the whole machine's kernel cycles here, summed again from the run's stats.json); a name
 * that matches nothing, or a malformed one, is bad input (exit 2, one line). */
TEST(CompareStat, ExtraColumnsSumTheirMatches) {
    const fs::path d = fresh_dir("stat");
    Result r = run_mtesim({"compare", "--set", "workload.accesses_per_thread=2000", "--vary", "mm.cma_policy=never", "--stat",
                           "board.cpu@*.kernel_cycles", "--stat", "kernel.tlb_shootdowns", "--out", d.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto rows = read_csv(d / "compare.csv");
    ASSERT_EQ(rows.size(), 3u);
    const std::size_t kc = column(rows[0], "board.cpu@*.kernel_cycles"), sd = column(rows[0], "kernel.tlb_shootdowns");
    const std::regex per_core(R"(board\.cpu@\d+\.kernel_cycles)");
    for (std::size_t row = 1; row < rows.size(); ++row) {
        const auto j = nlohmann::json::parse(slurp(d / "points" / rows[row][0] / "stats.json"));
        double kernel = 0, shootdowns = -1;
        unsigned cores = 0;
        for (const auto &s : j.at("stats")) {
            const std::string name = s.at("name");
            if (std::regex_match(name, per_core)) kernel += s.at("value").get<double>(), ++cores;
            if (name == "kernel.tlb_shootdowns") shootdowns = s.at("value").get<double>();
        }
        EXPECT_EQ(cores, 4u) << "virt-4g-mte's four cores";
        EXPECT_GT(kernel, 0) << "the boot's linear map is kernel work";
        EXPECT_EQ(std::stod(rows[row][kc]), kernel) << rows[row][0];
        EXPECT_EQ(std::stod(rows[row][sd]), shootdowns) << rows[row][0];
    }
    EXPECT_NE(slurp(d / "compare.md").find("| board.cpu@*.kernel_cycles |"), std::string::npos);
    expect_bad_input(run_mtesim({"compare", "--set", "workload.accesses_per_thread=200", "--vary", "mm.cma_policy=never", "--stat",
                                 "kernel.no_such_stat", "--out", d.string()}),
                     "mtesim compare: --stat 'kernel.no_such_stat': no statistic of that name in ");
    expect_bad_input(run_mtesim({"compare", "--vary", "mm.cma_policy=never", "--stat", "a*b*", "--out", d.string()}),
                     "mtesim compare: --stat 'a*b*', expected a statistic name");
    fs::remove_all(d);

    // sweep takes the same option: its column is the same sum of its own runs' statistics.
    Result s = run_mtesim({"sweep", "--set", "workload.accesses_per_thread=2000", "--vary", "mm.cma_policy=never", "--stat",
                           "board.cpu@*.kernel_cycles", "--out", d.string()});
    ASSERT_EQ(s.status, 0) << s.err;
    const auto srows = read_csv(d / "sweep.csv");
    ASSERT_EQ(srows.size(), 3u);
    const std::size_t skc = column(srows[0], "board.cpu@*.kernel_cycles");
    for (std::size_t row = 1; row < srows.size(); ++row) {
        const auto j = nlohmann::json::parse(slurp(d / "points" / srows[row][0] / "stats.json"));
        double kernel = 0;
        for (const auto &st : j.at("stats"))
            if (std::regex_match(st.at("name").get<std::string>(), per_core)) kernel += st.at("value").get<double>();
        EXPECT_EQ(std::stod(srows[row][skc]), kernel) << srows[row][0];
    }
    expect_bad_input(run_mtesim({"sweep", "--vary", "mm.cma_policy=never", "--stat", "x y", "--out", d.string()}),
                     "mtesim sweep: --stat 'x y', expected a statistic name");
    fs::remove_all(d);
}
