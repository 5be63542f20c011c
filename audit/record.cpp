#include "audit/record.hpp"

#include <pwd.h>
#include <vector>

#include <fmt/format.h>

namespace mv::audit {

namespace {

constexpr std::size_t k_max_target = 512;

std::string text_of(const nlohmann::json& args, const char* key) {
    const auto it = args.find(key);
    return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag_of(const nlohmann::json& args, const char* key) {
    const auto it = args.find(key);
    return it != args.end() && it->is_boolean() && it->get<bool>();
}

} // namespace

std::optional<std::string> user_name(long long uid) {
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (uid < 0 ||
        ::getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
        return std::nullopt;
    }
    return std::string(found->pw_name);
}

std::string account_name(long long uid) {
    return user_name(uid).value_or("uid " + std::to_string(uid));
}

nlohmann::json to_json(const AuditRecord& record) {
    nlohmann::json json = {{"time", format_utc(record.time)},
                           {"uid", record.uid},
                           {"user", record.user},
                           {"pid", record.pid},
                           {"command", record.command},
                           {"target", record.target},
                           {"result", record.result},
                           {"via", record.via}};
    if (!record.error.empty()) {
        json["error"] = record.error;
    }
    return json;
}

std::string to_line(const AuditRecord& record) {
    return to_json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<AuditRecord> parse_line(std::string_view line) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    if (!json.is_object()) {
        return std::nullopt;
    }
    try {
        const auto time = parse_time(json.at("time").get<std::string>());
        if (!time) {
            return std::nullopt;
        }
        return AuditRecord{*time,
                           json.at("uid").get<long long>(),
                           json.at("user").get<std::string>(),
                           json.value("pid", 0LL),
                           json.at("command").get<std::string>(),
                           json.value("target", std::string()),
                           json.at("result").get<std::string>(),
                           json.value("error", std::string()),
                           json.value("via", std::string("socket"))};
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

bool matches(const AuditRecord& record, const AuditFilter& filter) {
    if (filter.since && record.time < *filter.since) {
        return false;
    }
    return filter.user.empty() || filter.user == record.user ||
           filter.user == std::to_string(record.uid);
}

std::string describe_target(const nlohmann::json& args) {
    if (!args.is_object()) {
        return {};
    }
    std::string target = text_of(args, "target");
    if (target.empty() && !text_of(args, "model").empty()) {
        target = text_of(args, "model");
        const std::string version = text_of(args, "selector").empty() ? text_of(args, "version")
                                                                      : text_of(args, "selector");
        if (!version.empty()) {
            target.append("@").append(version);
        }
    }
    if (const auto models = args.find("models"); models != args.end() && models->is_array()) {
        for (const auto& model : *models) {
            if (model.is_string()) {
                target.append(target.empty() ? "" : " ").append(model.get<std::string>());
            }
        }
    }
    if (flag_of(args, "all")) {
        target += target.empty() ? "all models" : " and all models";
    }
    if (!text_of(args, "action").empty()) {
        target += fmt::format(" {} tag {}", text_of(args, "action"), text_of(args, "tag"));
    }
    if (!text_of(args, "to").empty()) {
        target.append(" to ").append(text_of(args, "to"));
    }
    if (flag_of(args, "dry_run")) {
        target += target.empty() ? "(dry run)" : " (dry run)";
    }
    if (target.size() > k_max_target) {
        target = target.substr(0, k_max_target - 3) + "...";
    }
    return target;
}

} // namespace mv::audit
