#include "core/process.hpp"

#include "core/fault.hpp"

#include "core/proc_scan.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace arc {
namespace {

millis mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Builds the child's environment: arcd's own, with spec.env added/replaced.
std::vector<std::string> build_env(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv;
  }
  for (auto& kv : extra) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv;
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (auto& [k, v] : vars) out.push_back(v);
  return out;
}

void append_capped(std::string& buf, const char* data, size_t n, size_t cap, bool& truncated) {
  if (buf.size() >= cap) {
    truncated = truncated || n > 0;
    return;
  }
  size_t take = std::min(n, cap - buf.size());
  buf.append(data, take);
  if (take < n) truncated = true;
}

}  // namespace

// Blocks SIGPIPE in this thread while it feeds a child's stdin: a child that
// exits without reading makes write() fail with EPIPE instead of killing the
// whole process (whatever the host program does with SIGPIPE).
class NoSigpipe {
 public:
  NoSigpipe() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &s, &old_);
  }
  ~NoSigpipe() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    timespec zero{0, 0};
    while (sigtimedwait(&s, nullptr, &zero) > 0) {
    }  // consume the SIGPIPEs our writes raised
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
};

// What the vfork child needs, prepared by the parent before vfork.
struct ChildSetup {
  pid_t parent;
  int in, out, err, exec_report;  // stdin/stdout/stderr ends and the exec-failure pipe
  const char* cwd;                // nullptr: arcd's
  char* const* argv;
  char* const* envp;
};

// The child between vfork and exec. Out of line, so that it writes only its
// own frame below the parent's (a vfork child shares the parent's stack);
// it makes system calls only and never returns.
[[noreturn]] __attribute__((noinline)) void exec_child(const ChildSetup& c) {
  // Own process group, so a timeout can kill everything it started.
  setpgid(0, 0);
  // If arcd dies (kill -9), the executor dies with it instead of running
  // unsupervised; its own children are killed by the next arcd's recovery.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != c.parent) _exit(127);
  // Every signal is blocked (run_process blocks them around vfork): a
  // handler of arcd's (or a sanitizer's) must not run in this child, on the
  // parent's memory. Default dispositions first, then unblock, as glibc's
  // posix_spawn does.
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction sa;
    if (sigaction(sig, nullptr, &sa) != 0) continue;
    bool handled = (sa.sa_flags & SA_SIGINFO) ? sa.sa_sigaction != nullptr
                                              : sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
    if (handled || sig == SIGPIPE) {  // arcd ignores SIGPIPE; `producer | head` in an executor must not
      sa = {};
      sa.sa_handler = SIG_DFL;
      sigaction(sig, &sa, nullptr);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  dup2(c.in, 0);
  dup2(c.out, 1);
  dup2(c.err, 2);
  // Nothing else of arcd's reaches the executor (its HTTP clients' sockets,
  // the database): every other descriptor closes at exec. exec_report stays
  // usable until then to report a failed exec.
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (c.cwd && chdir(c.cwd) != 0) {
    int e = errno;
    (void)!write(c.exec_report, &e, sizeof e);
    _exit(127);
  }
  execvpe(c.argv[0], c.argv, c.envp);
  int e = errno;
  (void)!write(c.exec_report, &e, sizeof e);
  _exit(127);
}

ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>* cancel) {
  NoSigpipe no_sigpipe;
  ProcessResult r;
  millis start = mono_ms();
  if (spec.argv.empty() || spec.argv[0].empty()) {
    r.spawn_failed = true;
    r.spawn_error = "empty command";
    return r;
  }
  if (fault::fire("executor.spawn")) {
    r.spawn_failed = true;
    r.spawn_error = "fork: Resource temporarily unavailable (fault injection: executor.spawn)";
    return r;
  }
  // Everything the child needs is prepared before fork: after fork in a
  // multi-threaded process only async-signal-safe calls are allowed.
  std::vector<std::string> env = build_env(spec.env);
  std::vector<char*> envp, argv;
  for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  for (auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int in_p[2], out_p[2], err_p[2], exec_p[2];
  if (pipe2(in_p, O_CLOEXEC) != 0) {
    r.spawn_failed = true;
    r.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  out_p[0] = out_p[1] = err_p[0] = err_p[1] = exec_p[0] = exec_p[1] = -1;
  if (pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0 ||
      pipe2(exec_p, O_CLOEXEC) != 0) {
    r.spawn_failed = true;
    r.spawn_error = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {in_p[0], in_p[1], out_p[0], out_p[1], err_p[0], err_p[1], exec_p[0], exec_p[1]})
      if (fd >= 0) ::close(fd);
    return r;
  }
  const ChildSetup child{getpid(), in_p[0], out_p[1], err_p[1], exec_p[1],
                         spec.cwd.empty() ? nullptr : spec.cwd.c_str(), argv.data(), envp.data()};
  // vfork: the child shares our memory until it execs, so starting an
  // executor does not copy a page table of arcd's size (fork's cost grows
  // with the parent; measured by arc-bench's cluster figure). The child only
  // reads `child` and makes system calls in its own frame (exec_child).
  sigset_t all, old_mask;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old_mask);
  pid_t pid = vfork();
  if (pid != 0) pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) {
    r.spawn_failed = true;
    r.spawn_error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {in_p[0], in_p[1], out_p[0], out_p[1], err_p[0], err_p[1], exec_p[0], exec_p[1]})
      ::close(fd);
    return r;
  }
  if (pid == 0) exec_child(child);
  r.pid = pid;
  setpgid(pid, pid);  // also from the parent: no race with an early kill
  ::close(in_p[0]);
  ::close(out_p[1]);
  ::close(err_p[1]);
  ::close(exec_p[1]);
  int exec_errno = 0;
  ssize_t got;
  do got = read(exec_p[0], &exec_errno, sizeof exec_errno);
  while (got < 0 && errno == EINTR);
  ::close(exec_p[0]);
  if (got == sizeof exec_errno) {
    int status;
    waitpid(pid, &status, 0);
    ::close(in_p[1]);
    ::close(out_p[0]);
    ::close(err_p[0]);
    r.spawn_failed = true;
    r.spawn_error = "cannot run " + spec.argv[0] + ": " + std::strerror(exec_errno);
    return r;
  }

  int in_fd = in_p[1], out_fd = out_p[0], err_fd = err_p[0];
  // Readable when the leader exits (Linux 5.3+): its exit wakes the poll
  // below at once. Without it (-1), the exit is noticed by waitpid at the
  // next turn, after a sleep of up to 5 ms once the pipes are closed.
  int exit_fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  fcntl(in_fd, F_SETFL, O_NONBLOCK);
  size_t in_off = 0;
  if (spec.stdin_data.empty()) close_fd(in_fd);
  millis deadline = start + spec.timeout_ms;
  millis kill_at = 0;  // when SIGKILL is due after a SIGTERM
  bool killed = false;
  bool exited = false;
  millis exited_at = 0;
  int status = 0;
  char buf[65536];
  for (;;) {
    if (!exited) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        exited_at = mono_ms();
        close_fd(in_fd);
      }
    }
    millis now = mono_ms();
    // Pipes closed and the leader gone: done. A leader that exited while a
    // background child still holds the pipes open gets 200 ms to drain.
    if (exited && ((out_fd < 0 && err_fd < 0) || now - exited_at > 200)) break;
    bool stop_requested = cancel && cancel->load();
    if (!exited && kill_at == 0 && (now >= deadline || stop_requested)) {
      if (stop_requested) r.cancelled = true; else r.timed_out = true;
      kill(-pid, SIGTERM);
      kill_at = now + spec.kill_grace_ms;
    }
    if (!exited && kill_at != 0 && !killed && now >= kill_at) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    pollfd fds[4];  // out, err, in, exit
    int n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (exit_fd >= 0 && !exited) fds[n++] = {exit_fd, POLLIN, 0};
    // Short waits: the leader's exit is noticed by waitpid, not by poll.
    int wait_ms = exited ? 20 : 50;
    if (n == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(exited ? 1 : 5));
      continue;
    }
    int pr = poll(fds, n, wait_ms);
    if (pr < 0 && errno != EINTR) break;
    for (int i = 0; i < n && pr > 0; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == exit_fd) continue;  // the leader exited: reaped by waitpid at the top
      if (fds[i].fd == in_fd) {
        if (fds[i].revents & (POLLERR | POLLHUP)) {
          close_fd(in_fd);
          continue;
        }
        ssize_t w = write(in_fd, spec.stdin_data.data() + in_off, spec.stdin_data.size() - in_off);
        if (w > 0) in_off += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= spec.stdin_data.size())
          close_fd(in_fd);
        continue;
      }
      bool is_out = fds[i].fd == out_fd;
      ssize_t rd = read(fds[i].fd, buf, sizeof buf);
      if (rd > 0) {
        if (is_out) append_capped(r.out, buf, rd, spec.output_cap_bytes, r.out_truncated);
        else append_capped(r.err, buf, rd, spec.output_cap_bytes, r.err_truncated);
      } else if (rd == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (is_out) close_fd(out_fd); else close_fd(err_fd);
      }
    }
  }
  close_fd(in_fd);
  close_fd(out_fd);
  close_fd(err_fd);
  close_fd(exit_fd);
  if (!exited) waitpid(pid, &status, 0);
  // Whatever the executor left behind in its group goes with it.
  kill(-pid, SIGKILL);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  r.duration_ms = mono_ms() - start;
  return r;
}

bool kill_process_group(pid_t pgid, millis grace_ms) {
  if (pgid <= 1) return true;
  if (kill(-pgid, SIGTERM) != 0 && errno == ESRCH) return true;
  millis until = mono_ms() + grace_ms;
  while (mono_ms() < until) {
    if (!process_group_alive(pgid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pgid, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    if (!process_group_alive(pgid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace arc
