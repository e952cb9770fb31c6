#include "core/agent_home.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace arc {
namespace fs = std::filesystem;
namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Arc's unquote: one leading and one trailing quote of either kind.
std::string unquote(const std::string& v) {
  std::string s = trim(v);
  if (!s.empty() && (s.front() == '"' || s.front() == '\'')) s.erase(0, 1);
  if (!s.empty() && (s.back() == '"' || s.back() == '\'')) s.pop_back();
  return s;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  if (!text.empty() && text.back() == '\n') out.push_back("");
  return out;
}

std::string join_lines(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += (i > from ? "\n" : "") + lines[i];
  return out;
}

std::string trim_end(std::string s) {
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  if (s.find_first_not_of(" \t\r\n") == std::string::npos) s.clear();
  return s;
}

}  // namespace

SkillFrontMatter parse_front_matter(const std::string& raw) {
  SkillFrontMatter fm;
  std::string text = raw;
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  if (text.rfind("---\n", 0) != 0) return fm;
  size_t end = text.find("\n---", 3);
  if (end == std::string::npos) return fm;
  std::istringstream in(text.substr(4, end - 4 + 1));
  bool in_tags = false;
  for (std::string line; std::getline(in, line);) {
    std::string t = trim(line);
    if (t.rfind("tags:", 0) == 0 && t.size() > 5) {
      std::string rest = trim(t.substr(5));
      if (rest.size() >= 3 && rest.front() == '[' && rest.back() == ']') {
        fm.tags.clear();
        std::istringstream items(rest.substr(1, rest.size() - 2));
        for (std::string item; std::getline(items, item, ',');) fm.tags.push_back(unquote(item));
        in_tags = false;
        continue;
      }
    }
    if (t == "tags:") {
      in_tags = true;
      continue;
    }
    if (in_tags) {
      if (t.rfind("- ", 0) == 0) {
        fm.tags.push_back(trim(t.substr(2)));
        continue;
      }
      in_tags = false;
    }
    for (const char* key : {"name", "description"}) {
      std::string k = std::string(key) + ":";
      if (t.rfind(k, 0) == 0 && !trim(t.substr(k.size())).empty())
        (key[0] == 'n' ? fm.name : fm.description) = unquote(t.substr(k.size()));
    }
  }
  return fm;
}

std::string check_skill_name(const std::string& name) {
  if (name.empty()) return "a skill name is empty";
  if (name.size() > 128) return "skill name longer than 128 characters";
  if (name[0] == '.') return "skill name \"" + name + "\" starts with '.'";
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return "skill name \"" + name + "\" may hold only letters, digits, '.', '_' and '-'";
  return {};
}

std::string AgentHome::check() const {
  std::error_code ec;
  if (root_.empty()) return "no agent home: set [agent] root in the config";
  if (!fs::is_directory(root_, ec))
    return "agent home " + root_ + " is not a folder; point [agent] root at the folder that holds SOUL.md and skills/";
  return {};
}

std::string AgentHome::soul() const { return read_text(fs::path(root_) / "SOUL.md"); }

std::string AgentHome::memory_path() const {
  std::error_code ec;
  if (!fs::exists(fs::path(root_) / "memory" / "MEMORY.md", ec) && fs::exists(fs::path(root_) / "MEMORY.md", ec))
    return "MEMORY.md";
  return "memory/MEMORY.md";
}

std::string AgentHome::memory() const { return read_text(fs::path(root_) / memory_path()); }

std::optional<SkillDoc> AgentHome::skill(const std::string& dir) const {
  if (!check_skill_name(dir).empty()) return std::nullopt;
  fs::path folder = fs::path(root_) / "skills" / dir;
  std::error_code ec;
  if (!fs::is_regular_file(folder / "SKILL.md", ec)) return std::nullopt;
  SkillDoc d;
  d.dir = dir;
  d.text = read_text(folder / "SKILL.md");
  auto fm = parse_front_matter(d.text);
  d.name = fm.name.empty() ? dir : fm.name;
  d.description = fm.description;
  d.tags = fm.tags;
  d.sha256 = sha256_hex(d.text);
  d.has_sensor = fs::exists(folder / "sensor.ts", ec) || fs::exists(folder / "sensor.sh", ec);
  d.has_cli = fs::exists(folder / "cli.ts", ec);
  d.has_agent = fs::exists(folder / "AGENT.md", ec);
  return d;
}

std::vector<SkillDoc> AgentHome::skills() const {
  std::vector<SkillDoc> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(fs::path(root_) / "skills", ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    if (it->is_directory(ec))
      if (auto d = skill(it->path().filename().string())) out.push_back(std::move(*d));
  std::sort(out.begin(), out.end(), [](const SkillDoc& a, const SkillDoc& b) { return a.name < b.name; });
  return out;
}

namespace {

// The text of a "[KEY: text]" tag in `line`, trimmed; nullopt when absent.
// (Plain scans, no std::regex: its engine recurses per character, and a
// long line of an agent's memory would overflow the stack.)
std::optional<std::string> tag_value(const std::string& line, const std::string& key) {
  size_t open = line.find("[" + key + ":");
  if (open == std::string::npos) return std::nullopt;
  size_t from = open + key.size() + 2, close = line.find(']', from);
  if (close == std::string::npos) return std::nullopt;
  return trim(line.substr(from, close - from));
}

bool has_flag(const std::string& line) {
  std::string up = line;
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return up.find("[FLAG]") != std::string::npos;
}

// Arc's filterServicesSection: the [S] block, entry by entry.
std::string filter_services(const std::vector<std::string>& lines, const std::set<std::string>& skills,
                            const std::string& today) {
  std::vector<std::string> preamble;
  std::vector<std::vector<std::string>> entries;
  for (auto& line : lines) {
    if (line.rfind("**", 0) == 0) entries.push_back({line});
    else if (!entries.empty()) entries.back().push_back(line);
    else preamble.push_back(line);
  }
  std::vector<std::string> kept = preamble;
  bool any = false;
  for (auto& e : entries) {
    const std::string& first = e[0];
    auto expires = tag_value(first, "EXPIRES");
    auto tagged = tag_value(first, "SKILLS");
    bool keep;
    if (has_flag(first)) keep = true;
    else if (expires && *expires < today) keep = false;
    else if (!tagged) keep = true;
    else {
      keep = false;
      std::string list = *tagged;
      std::replace(list.begin(), list.end(), ',', ' ');
      std::istringstream in(list);
      for (std::string s; in >> s;) keep = keep || skills.count(s);
    }
    if (!keep) continue;
    any = true;
    kept.insert(kept.end(), e.begin(), e.end());
  }
  if (!any) return {};
  return trim_end(join_lines(kept, 0, kept.size()));
}

}  // namespace

std::string filter_memory(const std::string& memory, const std::vector<std::string>& skills,
                          const std::string& today) {
  if (memory.empty() || skills.empty()) return memory;
  std::set<std::string> wanted(skills.begin(), skills.end());
  auto lines = split_lines(memory);
  // Blocks start at each "## [X]" line (X a capital letter); the preamble is what comes before the first.
  auto is_header = [](const std::string& l) {
    return l.size() >= 6 && l.compare(0, 4, "## [") == 0 && l[4] >= 'A' && l[4] <= 'Z' && l[5] == ']';
  };
  std::vector<size_t> starts;
  for (size_t i = 0; i < lines.size(); ++i)
    if (is_header(lines[i])) starts.push_back(i);
  // Blocks are joined by one blank line (Arc's output.push("", block)); an
  // empty preamble is left out rather than leading with blank lines.
  std::vector<std::string> out;
  auto add = [&](std::string block) {
    if (block.empty()) return;
    if (!out.empty()) out.push_back("");
    out.push_back(std::move(block));
  };
  add(trim_end(join_lines(lines, 0, starts.empty() ? lines.size() : starts[0])));
  for (size_t b = 0; b < starts.size(); ++b) {
    size_t from = starts[b], to = b + 1 < starts.size() ? starts[b + 1] : lines.size();
    char letter = lines[from][4];
    if (letter == 'A' || letter == 'F' || letter == 'P' || letter == 'L') {
      add(trim_end(join_lines(lines, from, to)));
    } else if (letter == 'S') {
      std::vector<std::string> block(lines.begin() + static_cast<long>(from), lines.begin() + static_cast<long>(to));
      add(filter_services(block, wanted, today));
    }
  }
  return join_lines(out, 0, out.size());
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace arc
