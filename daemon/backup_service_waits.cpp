// BackupService's answers when a model cannot be stored right now: a file still being
// written (wait for it to settle), a plan that says "not yet" (re-check a file that looks
// unfinished, wait for metrics that belong to the weights), and the deferral they share
// (ARCHITECTURE.md, daemon/).
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_plan.hpp"
#include "daemon/backup_service.hpp"
#include "util/escape.hpp"
#include "util/time.hpp"

namespace mv::daemon {

namespace {

/// The least a manual backup waits for a file that is still being written.
constexpr std::chrono::seconds k_manual_quiet_wait{5};
/// How often a version waiting for fresh metrics looks for them.
constexpr std::chrono::milliseconds k_metrics_poll{500};

} // namespace

BackupOutcome BackupService::wait_for_quiet(const config::Watch& watch,
                                            const BackupRequest& request,
                                            std::vector<watcher::FileState> states,
                                            const watcher::QuietVerdict& verdict,
                                            const BackupDone& done,
                                            const vault::ProgressFn& progress) {
    const std::string id = model_text(request.watch, request.model);
    BackupRequest next = request;
    const auto now = m_clock.steady_now();
    next.seen = watcher::Observation{std::move(states), now};
    next.waiting_since = request.waiting_since.value_or(now);
    // A manual backup answers someone who waits: it does not wait forever for a writer
    // that never stops.
    const auto limit = std::max<std::chrono::milliseconds>(k_manual_quiet_wait,
                                                           watch.settle * k_incomplete_checks);
    if (request.trigger == vault::Trigger::manual && now - *next.waiting_since > limit) {
        BackupOutcome outcome;
        outcome.model = id;
        outcome.code = ErrorCode::conflict;
        outcome.message = fmt::format(
            "{} is still being written ({}); nothing was stored: modelvaultd stores a file only "
            "once it has been left alone for settle ({}) — run the backup again when its writer "
            "is done",
            id, verdict.why, format_elapsed(watch.settle));
        spdlog::warn("{}: backup refused, {}", id, outcome.message);
        return outcome;
    }
    const std::string message = fmt::format("still being written ({})", verdict.why);
    if (!request.seen) {
        spdlog::info("{}: not backed up yet: {}; looking again in {}", id, message,
                     format_elapsed(verdict.wait));
    } else {
        spdlog::debug("{}: {}; looking again in {}", id, message, format_elapsed(verdict.wait));
    }
    return defer(std::move(next), verdict.wait, message, Hold::yes, done, progress);
}

BackupOutcome BackupService::defer(BackupRequest request, std::chrono::milliseconds delay,
                                   std::string message, Hold hold, const BackupDone& done,
                                   const vault::ProgressFn& progress) {
    BackupOutcome outcome;
    outcome.model = model_text(request.watch, request.model);
    outcome.status = BackupStatus::skipped;
    outcome.code = ErrorCode::conflict;
    outcome.message = std::move(message);
    outcome.deferred = true;
    {
        std::lock_guard lock(m_mutex);
        m_waiting.insert(outcome.model);
        if (hold == Hold::yes) {
            m_holders.try_emplace(outcome.model, request.checkpoint);
        }
    }
    schedule_retry(std::move(request), delay, done, progress, Waiting::yes);
    return outcome;
}

BackupOutcome BackupService::not_now(const config::Watch& watch, const BackupRequest& request,
                                     const BackupPlan& plan, const BackupDone& done,
                                     const vault::ProgressFn& progress) {
    const std::string id = model_text(request.watch, request.model);
    if (plan.recheck_after) {
        {
            std::lock_guard lock(m_mutex);
            ++m_failed_checks[id];
        }
        spdlog::info("{}: not backed up yet: {}", id, plan.why_not);
        BackupRequest again = request;
        again.seen.reset();
        return defer(std::move(again), *plan.recheck_after, plan.why_not, Hold::yes, done,
                     progress);
    }
    if (plan.wait_for_metrics) {
        const auto now = m_clock.steady_now();
        BackupRequest again = request;
        again.seen.reset();
        if (!again.metrics_deadline) {
            again.metrics_deadline = now + watch.triggers.metrics_wait;
            spdlog::info("{}: not backed up yet: {}; waiting up to {}", id, plan.why_not,
                         format_elapsed(watch.triggers.metrics_wait));
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(*again.metrics_deadline - now);
        return defer(std::move(again),
                     std::clamp(left, std::chrono::milliseconds(1), k_metrics_poll), plan.why_not,
                     Hold::yes, done, progress);
    }
    spdlog::debug("{}: no version: {}", id, plan.why_not);
    BackupOutcome outcome;
    outcome.model = id;
    outcome.status = BackupStatus::skipped;
    outcome.code = ErrorCode::conflict;
    outcome.message = plan.why_not;
    return outcome;
}

} // namespace mv::daemon
