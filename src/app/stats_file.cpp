// StatsFile: parses the whole file with nlohmann/json and keeps the "stats" array's name/value
// pairs. Malformed JSON is reported with the parser's byte offset.
#include "app/stats_file.h"

#include "mtesim/common/config_error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace mtesim {

namespace {
const char *const kExpected = ", expected a stats.json written by mtesim run --out";
}  // namespace

std::map<std::string, double> StatsFile::read(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open" + kExpected);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error &e) {
        // e.what() is "[json.exception.parse_error.101] parse error at line L, column C: why".
        std::string why = e.what();
        const auto colon = why.find(": ");
        if (colon != std::string::npos) why = why.substr(colon + 2);
        throw ConfigError(path + ": byte " + std::to_string(e.byte) + ": " + why + kExpected);
    }
    if (!doc.is_object() || !doc.contains("stats") || !doc["stats"].is_array() || doc["stats"].empty())
        throw ConfigError(path + ": no \"stats\" list" + kExpected);
    std::map<std::string, double> stats;
    std::size_t i = 0;
    for (const auto &s : doc["stats"]) {
        const std::string where = path + ": stats[" + std::to_string(i++) + "]: ";
        if (!s.is_object() || !s.contains("name") || !s["name"].is_string() || !s.contains("value"))
            throw ConfigError(where + "a stat without \"name\" or \"value\"" + kExpected);
        const auto &v = s["value"];
        if (v.is_number()) stats[s["name"].get<std::string>()] = v.get<double>();
        else if (v.is_null()) stats[s["name"].get<std::string>()] = std::nan(""); /* a mean over no samples */
        else throw ConfigError(where + "\"value\" is not a number" + kExpected);
    }
    return stats;
}

}  // namespace mtesim
