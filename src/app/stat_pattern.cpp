// StatPattern: see the header.
#include "app/stat_pattern.h"

#include "mtesim/common/config_error.h"

#include <algorithm>
#include <cctype>

namespace mtesim {

StatPattern::StatPattern(std::string text, const std::string &option) : m_text(std::move(text)) {
    const auto bad = std::find_if(m_text.begin(), m_text.end(), [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' || c == '-' || c == '*');
    });
    const auto stars = std::count(m_text.begin(), m_text.end(), '*');
    if (m_text.empty() || bad != m_text.end() || stars > 1)
        throw ConfigError(option + " '" + m_text + "', expected a statistic name of stats.json (letters, digits, '._@-') with at most one '*'");
    const auto star = m_text.find('*');
    m_wild = star != std::string::npos;
    m_prefix = m_wild ? m_text.substr(0, star) : m_text;
    m_suffix = m_wild ? m_text.substr(star + 1) : "";
}

bool StatPattern::matches(const std::string &name) const {
    if (!m_wild) return name == m_text;
    return name.size() >= m_prefix.size() + m_suffix.size() && name.compare(0, m_prefix.size(), m_prefix) == 0 &&
           name.compare(name.size() - m_suffix.size(), m_suffix.size(), m_suffix) == 0;
}

std::optional<double> StatPattern::sum(const std::map<std::string, double> &stats) const {
    if (!m_wild) {
        const auto it = stats.find(m_text);
        return it == stats.end() ? std::nullopt : std::optional<double>(it->second);
    }
    std::optional<double> total;
    for (auto it = stats.lower_bound(m_prefix); it != stats.end() && it->first.compare(0, m_prefix.size(), m_prefix) == 0; ++it)
        if (matches(it->first)) total = total.value_or(0) + it->second;
    return total;
}

}  // namespace mtesim
