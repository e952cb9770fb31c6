#include "http/token.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace arc::http {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("http token file " + path + ": " + what);
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) out += hex[c >> 4], out += hex[c & 15];
  return out;
}

std::string read_all(int fd) {
  std::string s;
  char buf[256];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) s.append(buf, static_cast<size_t>(n));
  return s;
}

}  // namespace

std::string load_or_create_token(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string token = random_hex(32);
    std::string line = token + "\n";
    bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
    close(fd);
    if (!ok) {
      unlink(path.c_str());
      fail(path, std::string("cannot write it: ") + std::strerror(errno));
    }
    return token;
  }
  if (errno != EEXIST) fail(path, std::string("cannot create it: ") + std::strerror(errno));
  fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::string("cannot read it: ") + std::strerror(errno));
  struct stat st {};
  fstat(fd, &st);
  std::string text = read_all(fd);
  close(fd);
  if (st.st_mode & 077)
    fail(path, "readable by other users; run `chmod 600 " + path + "` (or delete it: arcd makes a new one)");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.size() < 16) fail(path, "holds no token of at least 16 characters; delete it and arcd makes a new one");
  return text;
}

bool token_equal(std::string_view given, std::string_view expected) {
  // Compare over the expected length whatever `given` is, so the time says
  // nothing about how many leading bytes matched.
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0 && !expected.empty();
}

std::string bearer_token(const std::string& authorization) {
  static const std::string scheme = "Bearer ";
  if (authorization.size() <= scheme.size()) return {};
  for (size_t i = 0; i < scheme.size(); ++i)  // the scheme is case-insensitive (RFC 7235)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != std::tolower(static_cast<unsigned char>(scheme[i])))
      return {};
  std::string t = authorization.substr(scheme.size());
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t.find(' ') == std::string::npos ? t : std::string();
}

}  // namespace arc::http
