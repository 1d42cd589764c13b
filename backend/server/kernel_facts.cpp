#include "server/kernel_facts.h"

#include <filesystem>

#include "debuginfo/debug_file_finder.h"
#include "dump/kcore.h"

namespace vmscope::server {
namespace {

template <typename T>
Result<std::shared_ptr<const T>> shared(Result<T> value) {
  if (!value.ok()) return std::move(value).error();
  return std::make_shared<const T>(std::move(value).value());
}

}  // namespace

std::string module_debug_root(const std::string& vmlinux_path) {
  namespace fs = std::filesystem;
  if (vmlinux_path.empty()) return "";
  const fs::path dir = fs::path(vmlinux_path).parent_path();
  fs::path root;
  if (dir.filename() == "boot") {
    root = dir.parent_path();  // <root>/boot/vmlinux-<kver>
  } else if (dir.parent_path().filename() == "modules" &&
             dir.parent_path().parent_path().filename() == "lib") {
    root = dir.parent_path().parent_path().parent_path();  // <root>/lib/modules/<kver>/vmlinux
  }
  std::error_code error;
  if (root.empty() || !fs::is_directory(root / "lib" / "modules", error)) return "";
  return root.string();
}

KernelFacts::KernelFacts(std::shared_ptr<const KernelTarget> target) : target_(std::move(target)) {
  if (const debuginfo::DebugInfo* debug = target_->program().debug_info()) {
    layouts_ = std::make_unique<kernel::KernelLayouts>(*debug);
  }
}

Result<const kernel::KernelLayouts*> KernelFacts::layouts() const {
  if (!layouts_) {
    return Error(ErrorCode::kUnsupported,
                 "this dump was opened without debug info: kernel facts need the vmlinux "
                 "(dump/open with vmlinux or debugDir)");
  }
  return layouts_.get();
}

Result<std::shared_ptr<const kernel::TaskList>> KernelFacts::tasks(
    const CancellationToken& cancel) const {
  return tasks_.get(
      cancel,
      [this](const CancellationToken& c) -> Result<std::shared_ptr<const kernel::TaskList>> {
        VMSCOPE_TRY(const kernel::KernelLayouts* layouts, this->layouts());
        return shared(kernel::list_tasks(target_->program().memory(), *layouts, c));
      });
}

Result<std::shared_ptr<const kernel::KernelLog>> KernelFacts::log(
    const CancellationToken& cancel) const {
  return log_.get(
      cancel,
      [this](const CancellationToken& c) -> Result<std::shared_ptr<const kernel::KernelLog>> {
        VMSCOPE_TRY(const kernel::KernelLayouts* layouts, this->layouts());
        return shared(kernel::read_kernel_log(target_->program().memory(), *layouts, c));
      });
}

Result<std::shared_ptr<const kernel::ModuleList>> KernelFacts::modules(
    const CancellationToken& cancel) const {
  return modules_.get(
      cancel,
      [this](const CancellationToken& c) -> Result<std::shared_ptr<const kernel::ModuleList>> {
        VMSCOPE_TRY(const kernel::KernelLayouts* layouts, this->layouts());
        const std::string root = module_debug_root(layouts->debug().elf().path());
        std::optional<debuginfo::DebugFileFinder> finder;
        kernel::ModuleListOptions options;
        if (!root.empty()) {
          finder.emplace(root);
          options.finder = &*finder;
          options.kernel_release = target_->vmcoreinfo().osrelease().value_or("");
        }
        return shared(kernel::list_modules(target_->program().memory(), *layouts, options, c));
      });
}

Result<std::shared_ptr<const kernel::SysInfo>> KernelFacts::sys(
    const CancellationToken& cancel) const {
  return sys_.get(
      cancel, [this](const CancellationToken& c) -> Result<std::shared_ptr<const kernel::SysInfo>> {
        VMSCOPE_TRY(const kernel::KernelLayouts* layouts, this->layouts());
        // Reuse the task list and the log; when one cannot be computed, read_sys_info reads
        // what it needs itself and reports the problem.
        auto tasks = this->tasks(c);
        if (!tasks.ok() && tasks.error().code() == ErrorCode::kCancelled) return tasks.error();
        auto log = this->log(c);
        if (!log.ok() && log.error().code() == ErrorCode::kCancelled) return log.error();
        kernel::SysInputs inputs{.notes = &target_->program().dump().notes(),
                                 .vmcoreinfo = &target_->vmcoreinfo(),
                                 .tasks = tasks.ok() ? tasks->get() : nullptr,
                                 .log = log.ok() ? log->get() : nullptr,
                                 .live = is_live_kernel(target_->program().dump())};
        return shared(kernel::read_sys_info(target_->program().memory(), *layouts, inputs, c));
      });
}

Result<std::shared_ptr<const kernel::StackTracer>> KernelFacts::tracer(
    const CancellationToken& cancel) const {
  return tracer_.get(
      cancel,
      [this](const CancellationToken& c) -> Result<std::shared_ptr<const kernel::StackTracer>> {
        VMSCOPE_CHECK(c.check());
        VMSCOPE_TRY(std::unique_ptr<kernel::StackTracer> tracer,
                    kernel::StackTracer::create(target_->program()));
        return std::shared_ptr<const kernel::StackTracer>(std::move(tracer));
      });
}

Result<std::shared_ptr<const kernel::StackTrace>> KernelFacts::backtrace(
    const kernel::TaskRef& task, const CancellationToken& cancel) const {
  VMSCOPE_TRY(std::shared_ptr<const kernel::StackTracer> tracer, this->tracer(cancel));
  auto compute = [&](const CancellationToken& c) { return shared(tracer->trace(task, c)); };
  std::shared_ptr<ComputedOnce<kernel::StackTrace>> slot;
  {
    std::lock_guard lock(traces_mutex_);
    auto it = traces_.find(task.address);
    if (it != traces_.end()) {
      slot = it->second;
    } else if (traces_.size() < kMaxCachedTraces) {
      slot = std::make_shared<ComputedOnce<kernel::StackTrace>>();
      traces_.emplace(task.address, slot);
    }
  }
  if (!slot) return compute(cancel);
  return slot->get(cancel, compute);
}

Result<std::shared_ptr<const kernel::Triage>> KernelFacts::triage(
    const CancellationToken& cancel) const {
  return triage_.get(
      cancel, [this](const CancellationToken& c) -> Result<std::shared_ptr<const kernel::Triage>> {
        auto log = this->log(c);
        if (!log.ok() && log.error().code() == ErrorCode::kCancelled) return log.error();
        auto sys = this->sys(c);
        if (!sys.ok() && sys.error().code() == ErrorCode::kCancelled) return sys.error();
        auto tasks = this->tasks(c);
        if (!tasks.ok() && tasks.error().code() == ErrorCode::kCancelled) return tasks.error();
        kernel::TriageInputs inputs{
            .log = log.ok() ? log->get() : nullptr,
            .sys = sys.ok() ? sys->get() : nullptr,
            .tasks = tasks.ok() ? tasks->get() : nullptr,
            .trace = [this, &c](const kernel::TaskRef& ref) { return this->backtrace(ref, c); }};
        VMSCOPE_TRY(kernel::Triage triage, kernel::triage_crash(inputs, c));
        if (!log.ok()) triage.problems.push_back(log.error().with_context("kernel log"));
        if (!sys.ok()) triage.problems.push_back(sys.error().with_context("sys"));
        if (!tasks.ok()) triage.problems.push_back(tasks.error().with_context("task list"));
        return std::make_shared<const kernel::Triage>(std::move(triage));
      });
}

}  // namespace vmscope::server
