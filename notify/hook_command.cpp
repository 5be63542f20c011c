#include "notify/hook_command.hpp"

#include <cctype>

#include "config/hook_argument.hpp"

namespace mv::notify {

namespace {

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return result;
}

std::string without_nul(const std::string& text) {
    return text.substr(0, text.find('\0'));
}

} // namespace

std::string_view hook_name(config::NotifyEvent kind) {
    switch (kind) {
    case config::NotifyEvent::backup_created:
        return "on_backup";
    case config::NotifyEvent::pruned:
        return "on_prune";
    case config::NotifyEvent::restored:
        return "on_restore";
    case config::NotifyEvent::backup_failed:
    case config::NotifyEvent::replica_failed:
    case config::NotifyEvent::disk_low:
        return "on_failure";
    }
    return "on_failure";
}

const std::vector<std::string>& hook_template(const config::Hooks& global,
                                              const config::WatchHooks* watch,
                                              config::NotifyEvent kind) {
    const std::string_view name = hook_name(kind);
    // The watch's own setting (even an empty one) wins over the global one.
    const auto pick = [&](const std::vector<std::string>& inherited,
                          std::optional<std::vector<std::string>> config::WatchHooks::*own)
        -> const std::vector<std::string>& {
        return watch != nullptr && (watch->*own) ? *(watch->*own) : inherited;
    };
    if (name == "on_backup") {
        return pick(global.on_backup, &config::WatchHooks::on_backup);
    }
    if (name == "on_prune") {
        return pick(global.on_prune, &config::WatchHooks::on_prune);
    }
    if (name == "on_restore") {
        return pick(global.on_restore, &config::WatchHooks::on_restore);
    }
    return pick(global.on_failure, &config::WatchHooks::on_failure);
}

std::vector<std::string> expand_arguments(const std::vector<std::string>& argv,
                                          const std::map<std::string, std::string>& values) {
    std::vector<std::string> expanded;
    expanded.reserve(argv.size());
    for (const std::string& argument : argv) {
        std::string text;
        const auto problem = config::for_each_piece(
            argument, [&](std::string_view literal) { text += literal; },
            [&](std::string_view name) {
                if (const auto it = values.find(std::string(name)); it != values.end()) {
                    text += it->second;
                }
            });
        expanded.push_back(without_nul(problem ? argument : text));
    }
    return expanded;
}

std::vector<std::string> hook_environment(const std::map<std::string, std::string>& values,
                                          const HookAccount& account, std::string_view hook) {
    std::vector<std::string> environment = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG=C.UTF-8",
        "HOME=" + without_nul(account.home),
        "USER=" + without_nul(account.name),
        "LOGNAME=" + without_nul(account.name),
        "MODELVAULT_HOOK=" + std::string(hook),
    };
    for (const auto& [name, value] : values) {
        environment.push_back("MODELVAULT_" + upper(name) + "=" + without_nul(value));
    }
    return environment;
}

} // namespace mv::notify
