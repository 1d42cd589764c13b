#include "receiver/hook_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

extern char** environ;

namespace vmscope {

HookRunner::HookRunner(std::filesystem::path scripts_dir, std::chrono::milliseconds timeout,
                       std::size_t max_queued)
    : scripts_dir_(std::move(scripts_dir)),
      timeout_(timeout),
      max_queued_(max_queued),
      thread_([this] { loop(); }) {}

HookRunner::~HookRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stats_.dropped += queue_.size();
    queue_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

void HookRunner::run(const std::string& hook, const std::string& address,
                     const std::filesystem::path& dir) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) {
      ++stats_.dropped;
      return;
    }
    queue_.push_back({hook, address, dir});
  }
  changed_.notify_all();
}

HookStats HookRunner::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void HookRunner::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (queue_.empty() && !busy_) || stopping_; });
}

void HookRunner::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    execute(job);
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

void HookRunner::execute(const Job& job) {
  std::filesystem::path script = scripts_dir_ / job.hook;
  auto note = [&](std::uint64_t HookStats::*counter, std::string problem) {
    std::lock_guard lock(mutex_);
    ++(stats_.*counter);
    if (!problem.empty()) stats_.last_problem = std::move(problem);
  };
  if (::access(script.c_str(), X_OK) != 0) {
    note(&HookStats::absent, "");
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int fd = 0; fd < 3; ++fd) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  std::string path = script.string(), dir = job.dir.string();
  std::vector<char*> argv = {path.data(), const_cast<char*>(job.address.c_str()), dir.data(),
                             nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    note(&HookStats::failed, job.hook + ": cannot start: " + std::strerror(rc));
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      note(&HookStats::failed, job.hook + ": waitpid: " + std::strerror(errno));
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      note(&HookStats::timed_out, job.hook + " " + job.address + ": killed after the timeout");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    note(&HookStats::ran, "");
  } else {
    note(&HookStats::failed,
         job.hook + " " + job.address + ": exit status " + std::to_string(status));
  }
}

}  // namespace vmscope
