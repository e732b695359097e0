// ConfigStore implementation. Values stay strings until a model asks for them typed, so a
// wrong type is reported with the key and the file it came from.
#include "mtesim/config/config_store.h"

#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

namespace {

std::size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string trim(const std::string &s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

ConfigStore::ConfigStore() : m_declared(std::make_shared<std::map<std::string, Declaration>>()) {}

void ConfigStore::set(const std::string &key, const std::string &value, const std::string &origin, Layer layer) {
    auto it = m_entries.find(key);
    if (it != m_entries.end() && it->second.layer > layer) return;
    m_entries[key] = Entry{value, origin, layer};
}

void ConfigStore::load_ini_text(const std::string &text, const std::string &origin, Layer layer) {
    std::istringstream in(text);
    po::parsed_options parsed(nullptr);
    try {
        parsed = po::parse_config_file(in, po::options_description(), /*allow_unregistered=*/true);
    } catch (const po::error &e) {
        throw ConfigError(origin + ": " + e.what() + ", expected 'key = value' lines under [section] headers");
    }
    for (const auto &opt : parsed.options) {
        const std::string &key = opt.string_key;
        if (key.find('.') == std::string::npos)
            throw ConfigError(origin + ": key '" + key + "' is outside any [section], expected it under a header");
        const std::string value = opt.value.empty() ? "" : trim(opt.value.front());
        set(key, value, origin, layer);
    }
}

void ConfigStore::load_ini_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open config file, expected a readable .ini file");
    std::stringstream ss;
    ss << in.rdbuf();
    load_ini_text(ss.str(), path, Layer::user_file);
}

void ConfigStore::set_from_command_line(const std::string &assignment) {
    const auto eq = assignment.find('=');
    const std::string key = eq == std::string::npos ? "" : trim(assignment.substr(0, eq));
    if (eq == std::string::npos || key.empty() || key.find('.') == std::string::npos)
        throw ConfigError("--set '" + assignment + "': expected section.key=value");
    set(key, trim(assignment.substr(eq + 1)), "--set", Layer::command_line);
}

std::optional<ConfigStore::Entry> ConfigStore::find(const std::string &key) const {
    auto it = m_entries.find(key);
    if (it == m_entries.end()) return std::nullopt;
    return it->second;
}

std::string ConfigStore::where(const std::string &key) const {
    auto it = m_entries.find(key);
    if (it == m_entries.end()) return key;
    return it->second.origin + ": " + key + " = '" + it->second.value + "'";
}

void ConfigStore::declare(const std::string &key, const std::string &dflt, const std::string &unit,
                          const std::string &description) {
    (*m_declared)[key] = Declaration{key, dflt, unit, description};
}

std::uint64_t ConfigStore::get_u64(const std::string &key, std::uint64_t dflt, const std::string &unit,
                                   const std::string &description, std::uint64_t min, std::uint64_t max) {
    declare(key, std::to_string(dflt), unit, description);
    auto e = find(key);
    if (!e) return dflt;
    std::uint64_t v = 0;
    if (!parse_u64(e->value, v))
        throw ConfigError(where(key) + ", expected an unsigned integer (" + unit + ")");
    if (v < min || v > max)
        throw ConfigError(where(key) + ", expected a value in [" + std::to_string(min) + ", " +
                          std::to_string(max) + "] (" + unit + ")");
    return v;
}

double ConfigStore::get_double(const std::string &key, double dflt, const std::string &unit,
                               const std::string &description, double min, double max) {
    std::ostringstream d;
    d << dflt;
    declare(key, d.str(), unit, description);
    auto e = find(key);
    if (!e) return dflt;
    char *end = nullptr;
    errno = 0;
    const double v = std::strtod(e->value.c_str(), &end);
    if (e->value.empty() || errno != 0 || *end != '\0' || !std::isfinite(v))
        throw ConfigError(where(key) + ", expected a number (" + unit + ")");
    if (v < min || v > max) {
        std::ostringstream r;
        r << "[" << min << ", " << max << "]";
        throw ConfigError(where(key) + ", expected a value in " + r.str() + " (" + unit + ")");
    }
    return v;
}

bool ConfigStore::get_bool(const std::string &key, bool dflt, const std::string &description) {
    declare(key, dflt ? "true" : "false", "bool", description);
    auto e = find(key);
    if (!e) return dflt;
    if (e->value == "true" || e->value == "1" || e->value == "yes" || e->value == "on") return true;
    if (e->value == "false" || e->value == "0" || e->value == "no" || e->value == "off") return false;
    throw ConfigError(where(key) + ", expected true or false");
}

std::string ConfigStore::get_string(const std::string &key, const std::string &dflt, const std::string &description,
                                    const std::vector<std::string> &choices) {
    std::string unit;
    for (const auto &c : choices) unit += (unit.empty() ? "" : "|") + c;
    declare(key, dflt, unit.empty() ? "string" : unit, description);
    auto e = find(key);
    if (!e) return dflt;
    if (!choices.empty() && std::find(choices.begin(), choices.end(), e->value) == choices.end())
        throw ConfigError(where(key) + ", expected one of: " + unit);
    return e->value;
}

void ConfigStore::check_unknown_keys() const {
    for (const auto &[key, entry] : m_entries) {
        if (entry.layer < Layer::user_file || m_declared->count(key)) continue;
        std::string best;
        std::size_t best_d = SIZE_MAX;
        for (const auto &[k, d] : *m_declared) {
            const std::size_t dist = edit_distance(key, k);
            if (dist < best_d) { best_d = dist; best = k; }
        }
        throw ConfigError(entry.origin + ": unknown key '" + key + "'" +
                          (best.empty() ? "" : ", did you mean '" + best + "'?"));
    }
}

std::vector<std::pair<ConfigStore::Declaration, std::string>> ConfigStore::effective() const {
    std::vector<std::pair<Declaration, std::string>> out;
    for (const auto &[key, d] : *m_declared) {
        auto e = find(key);
        out.emplace_back(d, e ? e->value : d.default_value);
    }
    return out;
}

}  // namespace mtesim
