#include "services/crawler/rsync_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace mm::crawler {

std::vector<std::string> SplitCommandLine(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

RsyncRun RunRsync(const std::string& binary, const std::vector<std::string>& args,
                  const Deadline& deadline, const std::function<void(std::string_view)>& on_line,
                  int64_t max_output_bytes) {
  RsyncRun run;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return run;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return run;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, binary.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    run.stderr_tail = std::strerror(rc);
    return run;
  }
  run.spawned = true;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  std::string partial;
  char buf[65536];
  bool killed = false;
  while (open_fds > 0) {
    if (!killed && deadline.Check() != StopReason::kNone) {
      run.stopped = true;
      kill(pid, SIGKILL);
      killed = true;
    }
    int n = poll(fds, 2, 100);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      if (i == 1) {
        run.stderr_tail.append(buf, r);
        if (run.stderr_tail.size() > 8192) run.stderr_tail.erase(0, run.stderr_tail.size() - 4096);
        continue;
      }
      run.output_bytes += r;
      if (killed) continue;
      if (run.output_bytes > max_output_bytes) {
        run.output_limit = true;
        kill(pid, SIGKILL);
        killed = true;
        continue;
      }
      std::string_view chunk(buf, r);
      while (!chunk.empty()) {
        size_t nl = chunk.find('\n');
        if (nl == std::string_view::npos) {
          if (partial.size() < (1 << 20)) partial.append(chunk);
          break;
        }
        if (partial.empty()) {
          if (on_line) on_line(chunk.substr(0, nl));
        } else {
          partial.append(chunk.substr(0, nl));
          if (on_line) on_line(partial);
          partial.clear();
        }
        chunk.remove_prefix(nl + 1);
      }
    }
  }
  if (!partial.empty() && !killed && on_line) on_line(partial);
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    run.exit_code = -WTERMSIG(status);
  }
  return run;
}

}  // namespace mm::crawler
