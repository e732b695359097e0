// StatsFile: a recursive-descent JSON reader over the whole file, keeping the "stats" array's
// name/value pairs.
#include "app/stats_file.h"

#include "mtesim/common/config_error.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mtesim {

namespace {

class Json {
public:
    Json(const std::string &text, const std::string &path) : m_s(text), m_path(path) {}

    [[noreturn]] void fail(const std::string &what) const {
        throw ConfigError(m_path + ": byte " + std::to_string(m_i) + ": " + what + ", expected a stats.json written by mtesim run --out");
    }
    void ws() {
        while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\t' || m_s[m_i] == '\r')) ++m_i;
    }
    bool peek(char c) {
        ws();
        return m_i < m_s.size() && m_s[m_i] == c;
    }
    void expect(char c) {
        if (!peek(c)) fail(std::string("'") + c + "' missing");
        ++m_i;
    }
    std::string string() {
        expect('"');
        std::string out;
        while (m_i < m_s.size() && m_s[m_i] != '"') {
            if (m_s[m_i] == '\\') {
                if (++m_i >= m_s.size()) fail("unterminated escape");
                if (m_s[m_i] == 'u') {
                    if (m_i + 4 >= m_s.size()) fail("bad \\u escape");
                    out += static_cast<char>(std::strtol(m_s.substr(m_i + 1, 4).c_str(), nullptr, 16));
                    m_i += 5;
                    continue;
                }
            }
            out += m_s[m_i++];
        }
        if (m_i >= m_s.size()) fail("unterminated string");
        ++m_i;
        return out;
    }
    double number() {
        ws();
        const char *b = m_s.c_str() + m_i;
        char *e = nullptr;
        const double v = std::strtod(b, &e);
        if (e == b) fail("not a number");
        m_i += static_cast<std::size_t>(e - b);
        return v;
    }
    /// Skips any value; fills @stats when it is the "stats" array.
    void value(std::map<std::string, double> *stats) {
        ws();
        if (m_i >= m_s.size()) fail("unexpected end");
        const char c = m_s[m_i];
        if (c == '{') {
            ++m_i;
            if (peek('}')) { ++m_i; return; }
            for (;;) {
                const std::string key = string();
                expect(':');
                value(key == "stats" && depth_ == 0 ? stats : nullptr);
                if (peek(',')) { ++m_i; continue; }
                expect('}');
                return;
            }
        } else if (c == '[') {
            ++m_i;
            ++depth_;
            if (peek(']')) { ++m_i; --depth_; return; }
            for (;;) {
                if (stats) stat(*stats);
                else value(nullptr);
                if (peek(',')) { ++m_i; continue; }
                expect(']');
                --depth_;
                return;
            }
        } else if (c == '"') {
            string();
        } else if (m_s.compare(m_i, 4, "true") == 0 || m_s.compare(m_i, 4, "null") == 0) {
            m_i += 4;
        } else if (m_s.compare(m_i, 5, "false") == 0) {
            m_i += 5;
        } else {
            number();
        }
    }
    void stat(std::map<std::string, double> &stats) {
        expect('{');
        std::string name;
        double v = 0;
        bool has_name = false, has_value = false;
        for (;;) {
            const std::string key = string();
            expect(':');
            if (key == "name") { name = string(); has_name = true; }
            else if (key == "value") { v = number(); has_value = true; }
            else value(nullptr);
            if (peek(',')) { ++m_i; continue; }
            expect('}');
            break;
        }
        if (!has_name || !has_value) fail("a stat without \"name\" or \"value\"");
        stats[name] = v;
    }
    void end() {
        ws();
        if (m_i != m_s.size()) fail("trailing data");
    }

private:
    const std::string &m_s;
    std::string m_path;
    std::size_t m_i = 0;
    int depth_ = 0;
};

}  // namespace

std::map<std::string, double> StatsFile::read(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open, expected a stats.json written by mtesim run --out");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::map<std::string, double> stats;
    Json j(text, path);
    j.value(&stats);
    j.end();
    if (stats.empty()) throw ConfigError(path + ": no \"stats\" list, expected a stats.json written by mtesim run --out");
    return stats;
}

}  // namespace mtesim
