#include "core/trace_event.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/task.hpp"

namespace arc {

namespace {

// JSON string escaping for the few fields of an event. Written by hand: the
// tracer renders tens of thousands of lines a second, and building a
// nlohmann::json object per line cost several microseconds each.
void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace

std::string to_json_line(const TraceEvent& e) {
  std::string out;
  out.reserve(256 + e.payload.size());
  out += "{\"id\":" + std::to_string(e.id) + ",\"parent\":" + std::to_string(e.parent) +
         ",\"corr\":" + std::to_string(e.corr) + ",\"kind\":";
  append_string(out, e.kind);
  out += ",\"from\":";
  append_string(out, e.from);
  out += ",\"to\":";
  append_string(out, e.to);
  out += ",\"type\":";
  append_string(out, e.type);
  out += ",\"task\":" + std::to_string(e.task) + ",\"node\":";
  append_string(out, e.node);
  out += ",\"wall_ms\":" + std::to_string(e.wall_ms) + ",\"mono_ns\":" + std::to_string(e.mono_ns) +
         ",\"payload\":";
  append_string(out, sanitize_text(e.payload, kMaxPayload));  // valid UTF-8, bounded
  out += '}';
  return out;
}

namespace {

// An integer field (0 when optional and absent) within [lo, hi]. Checked
// before get<>: nlohmann converts a float such as 1.8e22 to an integer with
// undefined behaviour (found by tests/fuzz/trace_file_fuzz.cpp).
int64_t integer(const nlohmann::json& j, const char* key, bool required, int64_t lo, int64_t hi) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) throw std::out_of_range(std::string("no ") + key);
    return 0;
  }
  if (!it->is_number_integer() ||
      (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
    throw std::out_of_range(std::string(key) + " is not an integer in range");
  int64_t n = it->get<int64_t>();
  if (n < lo || n > hi) throw std::out_of_range(std::string(key) + " is out of range");
  return n;
}

// A message id: any unsigned 64-bit integer (the tracer's are random).
uint64_t message_id(const nlohmann::json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) throw std::out_of_range(std::string("no ") + key);
    return 0;
  }
  if (!it->is_number_unsigned()) throw std::out_of_range(std::string(key) + " is not an unsigned integer");
  return it->get<uint64_t>();
}

TraceEvent from_json(const nlohmann::json& j) {  // throws on a missing, mistyped or out-of-range field
  TraceEvent e;
  e.id = message_id(j, "id", true);
  e.parent = message_id(j, "parent", false);
  e.corr = message_id(j, "corr", false);
  e.kind = j.at("kind").get<std::string>();
  e.from = j.value("from", "");
  e.to = j.value("to", "");
  e.type = j.at("type").get<std::string>();
  e.task = integer(j, "task", false, INT64_MIN, INT64_MAX);
  e.node = j.value("node", "");
  e.wall_ms = integer(j, "wall_ms", true, 0, kMaxTraceWallMs);
  e.mono_ns = integer(j, "mono_ns", false, 0, INT64_MAX);
  e.payload = j.value("payload", "");
  return e;
}

}  // namespace

std::optional<TraceEvent> parse_trace_line(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("kind")) return std::nullopt;  // also the header
  try {
    return from_json(j);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void read_trace_text(const std::string& path, const std::string& content, TraceRead& out) {
  if (content.empty()) {
    out.notes.push_back(path + ": empty (tracing was switched on but nothing written yet)");
    return;
  }
  size_t pos = 0, line_no = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    bool complete = nl != std::string::npos;
    std::string line = content.substr(pos, complete ? nl - pos : std::string::npos);
    pos = complete ? nl + 1 : content.size();
    ++line_no;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (line_no == 1) {
      // Compared as JSON, not read with value(): a header such as
      // {"format": 5} made that throw a type_error instead of this error
      // (found by tests/fuzz/trace_file_fuzz.cpp).
      if (j.is_discarded() || !j.is_object() || !j.contains("format") || j["format"] != kTraceFormat)
        throw std::runtime_error(path + ": not an arc trace file (line 1 is not the \"" +
                                 std::string(kTraceFormat) + "\" header); pass the file arcd --trace wrote");
      continue;
    }
    if (line.empty()) continue;
    try {
      if (j.is_discarded()) throw std::runtime_error("not JSON");
      out.events.push_back(from_json(j));
    } catch (const std::exception& e) {
      if (!complete)
        out.notes.push_back(path + ": line " + std::to_string(line_no) +
                            " is half-written (arcd stopped mid-write); skipped");
      else
        out.notes.push_back(path + ": line " + std::to_string(line_no) + " is not a trace event (" + e.what() +
                            "); skipped");
    }
  }
}

namespace {

void read_one(const std::string& path, TraceRead& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the trace file: " + std::strerror(errno));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  read_trace_text(path, content, out);
}

}  // namespace

TraceRead read_trace(const std::string& path) {
  TraceRead out;
  std::vector<std::string> files;
  for (int i = 1;; ++i) {
    std::string p = path + "." + std::to_string(i);
    if (!std::filesystem::exists(p)) break;
    files.insert(files.begin(), p);  // oldest first
  }
  if (!std::filesystem::exists(path) && files.empty())
    throw std::runtime_error(path + ": no such trace file (start arcd with --trace FILE or run `arc trace on`)");
  if (std::filesystem::exists(path)) files.push_back(path);
  for (auto& f : files) read_one(f, out);
  return out;
}

TraceWriter::TraceWriter(std::string path, uint64_t max_bytes, int keep)
    : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep) {}

TraceWriter::~TraceWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool TraceWriter::open() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error_ = path_ + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  off_t end = ::lseek(fd_, 0, SEEK_END);
  size_ = end > 0 ? static_cast<uint64_t>(end) : 0;
  if (size_ == 0) {
    std::string header = nlohmann::json({{"format", kTraceFormat}}).dump() + "\n";
    if (::write(fd_, header.data(), header.size()) < 0) {
      error_ = path_ + ": cannot write: " + std::strerror(errno);
      return false;
    }
    size_ = header.size();
  }
  return true;
}

void TraceWriter::rotate() {
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::remove(path_ + "." + std::to_string(keep_), ec);
  for (int i = keep_ - 1; i >= 1; --i)
    std::filesystem::rename(path_ + "." + std::to_string(i), path_ + "." + std::to_string(i + 1), ec);
  if (keep_ >= 1) std::filesystem::rename(path_, path_ + ".1", ec);
  else std::filesystem::remove(path_, ec);
}

bool TraceWriter::write(const std::vector<TraceEvent>& batch) {
  if (fd_ < 0 && !open()) return false;
  std::string buf;
  buf.reserve(batch.size() * 256);
  for (auto& e : batch) (buf += to_json_line(e)) += '\n';
  // Whole lines only: a crash can leave at most the last line half-written.
  size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = ::write(fd_, buf.data() + off, buf.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = path_ + ": cannot write: " + std::strerror(errno);
      return false;
    }
    off += static_cast<size_t>(n);
  }
  size_ += buf.size();
  if (max_bytes_ > 0 && size_ >= max_bytes_) rotate();
  return true;
}

}  // namespace arc
