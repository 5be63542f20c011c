#include "notify/hook_service.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mv::notify {

namespace {

// "on_backup for lab/dqn.pkl 1.0.1": who a log line is about.
std::string describe(std::string_view hook, const Event& event) {
    std::string label = fmt::format("hook {} ({})", hook, event_name(event));
    if (!event.model.empty()) {
        label += " for " + event.model;
    }
    if (!event.version.empty()) {
        label += " " + event.version;
    }
    return label;
}

void log_output(const std::string& label, const HookResult& result) {
    std::size_t start = 0;
    while (start < result.output.size()) {
        std::size_t end = result.output.find('\n', start);
        end = end == std::string::npos ? result.output.size() : end;
        if (end > start) {
            spdlog::info("{}: {}", label, result.output.substr(start, end - start));
        }
        start = end + 1;
    }
    if (result.output_dropped > 0) {
        spdlog::info("{}: ({} more bytes of output not logged)", label, result.output_dropped);
    }
}

void log_result(const std::string& label, const HookRun& run, const HookResult& result) {
    const std::string took = format_elapsed(result.elapsed);
    switch (result.status) {
    case HookStatus::ok:
        spdlog::info("{}: {} exited 0 in {}", label, run.argv[0], took);
        break;
    case HookStatus::failed:
        if (result.signal != 0) {
            spdlog::warn("{}: {} was killed by signal {} after {}", label, run.argv[0],
                         result.signal, took);
        } else {
            spdlog::warn("{}: {} exited with status {} after {}", label, run.argv[0],
                         result.exit_code, took);
        }
        break;
    case HookStatus::timed_out:
        spdlog::error("{}: {} ran longer than hooks.timeout ({}): its process group was "
                      "killed",
                      label, run.argv[0], format_elapsed(run.timeout));
        break;
    case HookStatus::not_started:
        spdlog::error("{}: could not run {}: {}", label, run.argv[0], result.error);
        break;
    case HookStatus::stopped:
        spdlog::info("{}: {} was stopped because modelvaultd is stopping", label, run.argv[0]);
        break;
    }
}

} // namespace

HookService::HookService() : m_settings(std::make_shared<const Settings>()) {}

HookService::~HookService() {
    m_stop.request_stop();
    m_pool.join();
}

void HookService::configure(const config::Hooks& hooks, const std::vector<config::Watch>& watches,
                            HookIdentity identity) {
    auto settings = std::make_shared<Settings>();
    settings->hooks = hooks;
    for (const auto& watch : watches) {
        settings->watches.emplace(watch.name, watch.hooks);
    }
    settings->identity = std::move(identity);
    std::lock_guard lock(m_mutex);
    m_settings = std::move(settings);
}

void HookService::publish(const Event& event) {
    std::shared_ptr<const Settings> settings;
    {
        std::lock_guard lock(m_mutex);
        settings = m_settings;
    }
    const auto watch = settings->watches.find(event.watch);
    const auto& argv = hook_template(
        settings->hooks, watch == settings->watches.end() ? nullptr : &watch->second, event.kind);
    if (argv.empty()) {
        return;
    }
    const std::string hook(hook_name(event.kind));
    const std::string label = describe(hook, event);
    if (m_pending.fetch_add(1) >= k_max_pending_hooks) {
        m_pending.fetch_sub(1);
        std::lock_guard lock(m_mutex);
        ++m_stats.dropped;
        spdlog::warn("{}: not run, {} hooks are already waiting or running (slow or hanging "
                     "hooks? see hooks.timeout)",
                     label, k_max_pending_hooks);
        return;
    }
    const auto values = placeholder_values(event);
    HookRun run{expand_arguments(argv, values),
                hook_environment(values, settings->identity.account, hook), settings->identity,
                settings->hooks.timeout};
    boost::asio::post(m_pool, [this, hook, label, run = std::move(run)]() mutable {
        execute(std::move(hook), std::move(label), std::move(run));
    });
}

void HookService::execute(std::string hook, std::string label, HookRun run) {
    HookResult result;
    try {
        result = run_hook(run, m_stop.get_token());
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    log_output(label, result);
    log_result(label, run, result);
    record(hook, result.status);
    m_pending.fetch_sub(1);
}

void HookService::record(const std::string& hook, HookStatus status) {
    std::lock_guard lock(m_mutex);
    ++m_stats.runs[hook][to_string(status)];
}

HookService::Stats HookService::stats() const {
    std::lock_guard lock(m_mutex);
    Stats stats = m_stats;
    stats.pending = m_pending.load();
    return stats;
}

} // namespace mv::notify
