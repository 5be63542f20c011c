#pragma once
// Runs the configured hook for each event on two threads of its own, so that a slow or
// hanging hook never delays a backup (docs/NOTIFICATIONS.md, "Hooks"). Runs beyond
// k_max_pending_hooks waiting are dropped with a warning. Each run's output goes to the
// log line by line; its end (status, time) is logged once.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "config/model.hpp"
#include "notify/event.hpp"
#include "notify/hook_runner.hpp"

namespace mv::notify {

inline constexpr std::size_t k_max_pending_hooks = 64;

class HookService {
public:
    HookService();
    /// Kills running hooks (their process groups) and joins the threads.
    ~HookService();
    HookService(const HookService&) = delete;
    HookService& operator=(const HookService&) = delete;

    /// The hooks to run from now on (start and reload): the global ones, each watch's own,
    /// and who runs them (resolve_hook_identity()).
    void configure(const config::Hooks& hooks, const std::vector<config::Watch>& watches,
                   HookIdentity identity);

    /// Starts the hook that follows `event`, if one is configured; never blocks.
    void publish(const Event& event);

    struct Stats {
        std::map<std::string, std::map<std::string, std::uint64_t>> runs; ///< hook → status → n
        std::uint64_t dropped = 0;
        std::uint64_t pending = 0; ///< waiting or running
    };
    Stats stats() const;

private:
    struct Settings {
        config::Hooks hooks;
        std::map<std::string, config::WatchHooks> watches;
        HookIdentity identity;
    };
    void execute(std::string hook, std::string label, HookRun run);
    void record(const std::string& hook, HookStatus status);

    std::stop_source m_stop;
    mutable std::mutex m_mutex; ///< guards m_settings and m_stats
    std::shared_ptr<const Settings> m_settings;
    Stats m_stats;
    std::atomic<std::size_t> m_pending{0};
    boost::asio::thread_pool m_pool{2};
};

} // namespace mv::notify
