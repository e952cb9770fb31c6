#include "core/config_read.hpp"

#include <cmath>
#include <stdexcept>

namespace arc::config_read {

[[noreturn]] void fail(const std::string& path, const std::string& key, const std::string& what) {
  throw std::runtime_error("config " + (path.empty() ? std::string("<defaults>") : path) + ": " +
                           key + ": " + what);
}

// Reads an optional integer key, checking its range.
int64_t get_int(const toml::table& t, const char* key, int64_t def, int64_t lo, int64_t hi,
                const std::string& path, const std::string& prefix) {
  auto node = t.get(key);
  if (!node) return def;
  // Checked before value<>(): toml++ converts a float such as 3.5e97 to an
  // integer with undefined behaviour (found by the config fuzzer).
  if (!node->is_integer()) fail(path, prefix + key, "must be an integer");
  auto v = node->value<int64_t>();
  if (!v) fail(path, prefix + key, "must be an integer");
  if (*v < lo || *v > hi)
    fail(path, prefix + key,
         "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
             std::to_string(*v));
  return *v;
}

std::string get_str(const toml::table& t, const char* key, const std::string& def,
                    const std::string& path, const std::string& prefix) {
  auto node = t.get(key);
  if (!node) return def;
  if (!node->is_string()) fail(path, prefix + key, "must be a string");
  return *node->value<std::string>();
}

bool get_bool(const toml::table& t, const char* key, bool def, const std::string& path,
              const std::string& prefix) {
  auto node = t.get(key);
  if (!node) return def;
  if (!node->is_boolean()) fail(path, prefix + key, "must be true or false");
  return *node->value<bool>();
}

// An optional array of strings (an argv, a list of names). `required`: it
// must be there and not empty.
std::vector<std::string> get_strings(const toml::table& t, const char* key, bool required,
                                     const std::string& path, const std::string& prefix) {
  std::vector<std::string> out;
  auto* node = t.get(key);
  if (!node) {
    if (required) fail(path, prefix + key, "required: a non-empty array of strings, e.g. [\"/usr/bin/env\", \"x\"]");
    return out;
  }
  auto* arr = node->as_array();
  if (!arr || (required && arr->empty())) fail(path, prefix + key, "must be a non-empty array of strings");
  for (auto& el : *arr) {
    if (!el.is_string()) fail(path, prefix + key, "every element must be a string");
    out.push_back(*el.value<std::string>());
  }
  return out;
}

void check_keys(const toml::table& t, std::initializer_list<const char*> known,
                const std::string& path, const std::string& prefix) {
  for (auto& [k, v] : t) {
    bool ok = false;
    for (auto* name : known) ok = ok || k.str() == name;
    if (!ok) fail(path, prefix + std::string(k.str()), "unknown key (see docs/config.md)");
  }
}

double get_double(const toml::table& t, const char* key, double def, double lo, double hi,
                  const std::string& path, const std::string& prefix) {
  auto node = t.get(key);
  if (!node) return def;
  if (!node->is_number()) fail(path, prefix + key, "must be a number");
  double v = node->is_integer() ? static_cast<double>(*node->value<int64_t>()) : *node->value<double>();
  if (!std::isfinite(v) || v < lo || v > hi)
    fail(path, prefix + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return v;
}

std::map<std::string, std::string> get_string_map(const toml::table& t, const char* key,
                                                  const std::string& path, const std::string& prefix) {
  std::map<std::string, std::string> out;
  auto* node = t.get(key);
  if (!node) return out;
  auto* table = node->as_table();
  if (!table) fail(path, prefix + key, "must be a table of strings, e.g. { NAME = \"value\" }");
  for (auto& [k, v] : *table) {
    if (!v.is_string()) fail(path, prefix + key + "." + std::string(k.str()), "must be a string");
    out[std::string(k.str())] = *v.value<std::string>();
  }
  return out;
}

}  // namespace arc::config_read
