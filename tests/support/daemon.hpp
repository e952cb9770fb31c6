// Starts the real arcd binary in the background and runs the real arc CLI,
// for integration tests that exercise the programs as an operator would.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/process.hpp"

namespace arc::test {

class Daemon {
 public:
  // Starts `arcd args...` with its stderr going to log_path, and `env` added
  // to its environment.
  Daemon(std::vector<std::string> args, const std::string& log_path,
         std::vector<std::pair<std::string, std::string>> env = {})
      : log_(log_path) {
    std::vector<std::string> argv{ARCD_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      for (auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> av;
      for (auto& a : argv) av.push_back(a.data());
      av.push_back(nullptr);
      execv(av[0], av.data());
      _exit(127);
    }
  }
  ~Daemon() { kill9(); }

  pid_t pid() const { return pid_; }
  bool alive() const { return pid_ > 0 && kill(pid_, 0) == 0 && !exited_; }

  // Waits until the log says arcd is ready; false if it exited or timed out.
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (log().find("arcd ready") != std::string::npos) return true;
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        exited_ = true;
        status_ = st;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void kill9() {
    if (pid_ <= 0 || exited_) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    exited_ = true;
  }
  // SIGTERM and wait for the exit; returns the exit code (-1 on signal).
  int terminate() {
    if (exited_) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    kill(pid_, SIGTERM);
    waitpid(pid_, &status_, 0);
    exited_ = true;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  // Waits for it to exit by itself; returns the exit code.
  int wait_exit() {
    if (!exited_) {
      waitpid(pid_, &status_, 0);
      exited_ = true;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  // Waits up to `timeout` for it to exit by itself; its exit code, or -2 if
  // it is still running (-1 if a signal ended it).
  int exit_code_within(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!exited_ && std::chrono::steady_clock::now() < until) {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!exited_) return -2;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

// Runs the arc CLI against a database; returns what it printed and its exit code.
// The loopback port arcd's HTTP API listens on, from its log ("listen =
// 127.0.0.1:0" picks a free one and logs it); 0 if the log does not say.
inline int http_port(const std::string& log) {
  std::smatch m;
  return std::regex_search(log, m, std::regex("http://127\\.0\\.0\\.1:(\\d+)/")) ? std::stoi(m[1].str()) : 0;
}

inline ProcessResult arc_cli(const std::string& db, std::vector<std::string> args) {
  ProcessSpec s;
  s.argv = {ARC_BIN, "--db", db};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.timeout_ms = 30'000;
  return run_process(s);
}

}  // namespace arc::test
