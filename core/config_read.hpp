// Reading config values out of a parsed TOML table, with errors that name
// the file, the key and what is wrong. Shared by the parsers of the config's
// sections (core/config.cpp, core/agent_config.cpp); not for other callers.
#pragma once
#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace arc::config_read {

[[noreturn]] void fail(const std::string& path, const std::string& key, const std::string& what);

// Optional keys: `def` when absent; a wrong type or range fails.
int64_t get_int(const toml::table& t, const char* key, int64_t def, int64_t lo, int64_t hi,
                const std::string& path, const std::string& prefix);
double get_double(const toml::table& t, const char* key, double def, double lo, double hi,
                  const std::string& path, const std::string& prefix);
std::string get_str(const toml::table& t, const char* key, const std::string& def,
                    const std::string& path, const std::string& prefix);
bool get_bool(const toml::table& t, const char* key, bool def, const std::string& path,
              const std::string& prefix);
// An optional array of strings (an argv, a list of names). `required`: it
// must be there and not empty.
std::vector<std::string> get_strings(const toml::table& t, const char* key, bool required,
                                     const std::string& path, const std::string& prefix);
// An optional table of strings: { NAME = "value", ... }.
std::map<std::string, std::string> get_string_map(const toml::table& t, const char* key,
                                                  const std::string& path, const std::string& prefix);
// Fails on a key not in `known`.
void check_keys(const toml::table& t, std::initializer_list<const char*> known,
                const std::string& path, const std::string& prefix);

}  // namespace arc::config_read

#include "core/agent_config.hpp"

namespace arc {
// [agent], [claude] and [budget] (core/agent_config.cpp).
void parse_agent_tables(const toml::table& root, AgentConfig& agent, ClaudeConfig& claude,
                        BudgetConfig& budget, const std::string& path);
}  // namespace arc
