// StatsFile: reads the statistics back from a stats.json that `mtesim run --out` wrote: the
// "stats" list of {"name", "value", ...} objects (host figures are ignored), parsed with
// nlohmann/json: anything malformed is a ConfigError naming the file and the byte offset.
#pragma once

#include <map>
#include <string>

namespace mtesim {

class StatsFile {
public:
    /// Reads @path; throws ConfigError on a missing or malformed file.
    static std::map<std::string, double> read(const std::string &path);
};

}  // namespace mtesim
