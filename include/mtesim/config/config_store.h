// ConfigStore: the run's settings as layered "section.key = value" pairs. Layers, lowest
// first: the built-in configs/default.ini, a DRAM timing preset (configs/dram/<name>.ini, one
// per controller), the user's --config files in order, then --set overrides; a higher layer
// wins. INI syntax is parsed by Boost.Program_options.
//
// Parameters are declared where they are used (Ramulator 2.0 style): every typed get_*()
// records the key, its default, unit and description, which `mtesim config --dump` prints
// and which lets check_unknown_keys() reject a user key no model asked for, suggesting the
// closest declared one. Each model then resolves its keys into one validated config struct
// (DRAMSys style) and never looks at the store again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mtesim {

class ConfigStore {
public:
    enum class Layer { defaults = 0, preset = 1, user_file = 2, command_line = 3 };

    struct Entry {
        std::string value;
        std::string origin; /* "configs/x.ini" or "--set", for messages */
        Layer layer = Layer::defaults;
    };

    struct Declaration {
        std::string key, default_value, unit, description;
    };

    ConfigStore();

    /// Adds every key of INI @text (named @origin in messages) at @layer.
    void load_ini_text(const std::string &text, const std::string &origin, Layer layer);
    /// Reads @path and loads it at Layer::user_file. Throws ConfigError if unreadable.
    void load_ini_file(const std::string &path);
    /// "section.key=value" from the command line.
    void set_from_command_line(const std::string &assignment);
    /// Sets @key directly (tests, sweeps).
    void set(const std::string &key, const std::string &value, const std::string &origin, Layer layer);

    /// Typed reads; each declares the key. Throw ConfigError naming origin and key when the
    /// value does not parse or is out of [min, max].
    std::uint64_t get_u64(const std::string &key, std::uint64_t dflt, const std::string &unit,
                          const std::string &description, std::uint64_t min = 0,
                          std::uint64_t max = UINT64_MAX);
    double get_double(const std::string &key, double dflt, const std::string &unit, const std::string &description,
                      double min = -1e300, double max = 1e300);
    bool get_bool(const std::string &key, bool dflt, const std::string &description);
    /// A string that must be one of @choices (any string when @choices is empty).
    std::string get_string(const std::string &key, const std::string &dflt, const std::string &description,
                           const std::vector<std::string> &choices = {});

    std::optional<Entry> find(const std::string &key) const;
    /// Throws ConfigError for the first key set by the user (file or --set) that no get_*
    /// declared, naming the closest declared key.
    void check_unknown_keys() const;
    /// Every declared key with its effective value, sorted (config --dump, out/config.ini).
    std::vector<std::pair<Declaration, std::string>> effective() const;

    /// "<origin>: <key> = '<value>'": the prefix of every message about a value.
    std::string where(const std::string &key) const;

private:
    void declare(const std::string &key, const std::string &dflt, const std::string &unit,
                 const std::string &description);

    std::map<std::string, Entry> m_entries;
    /* Shared by copies of the store (per-controller preset views) so declarations made
       through any copy count for check_unknown_keys and the dump. */
    std::shared_ptr<std::map<std::string, Declaration>> m_declared;
};

}  // namespace mtesim
