#include "daemon/commands/common.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "daemon/services.hpp"
#include "vault/model_id.hpp"
#include "vault/selector.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

[[noreturn]] void bad_argument(const char* key, std::string_view expected) {
    throw Error(fmt::format("argument \"{}\" must be {}", key, expected),
                ErrorCode::invalid_argument);
}

bool known_model(const vault::Vault& vault, const std::string& model) {
    return !vault.versions(model).empty();
}

} // namespace

std::optional<std::string> optional_string(const json& args, const char* key) {
    const auto it = args.find(key);
    if (it == args.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_string()) {
        bad_argument(key, "a string");
    }
    return it->get<std::string>();
}

std::string required_string(const json& args, const char* key) {
    auto value = optional_string(args, key);
    if (!value || value->empty()) {
        throw Error(fmt::format("argument \"{}\" is required", key), ErrorCode::invalid_argument);
    }
    return *value;
}

bool flag(const json& args, const char* key) {
    const auto it = args.find(key);
    if (it == args.end() || it->is_null()) {
        return false;
    }
    if (!it->is_boolean()) {
        bad_argument(key, "true or false");
    }
    return it->get<bool>();
}

std::vector<std::string> string_list(const json& args, const char* key) {
    const auto it = args.find(key);
    if (it == args.end() || it->is_null()) {
        return {};
    }
    if (!it->is_array()) {
        bad_argument(key, "an array of strings");
    }
    std::vector<std::string> values;
    for (const auto& item : *it) {
        if (!item.is_string()) {
            bad_argument(key, "an array of strings");
        }
        values.push_back(item.get<std::string>());
    }
    return values;
}

std::optional<std::uint64_t> optional_count(const json& args, const char* key) {
    const auto it = args.find(key);
    if (it == args.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_number_unsigned()) {
        bad_argument(key, "a non-negative integer");
    }
    return it->get<std::uint64_t>();
}

Target parse_target(const vault::Vault& vault, const json& args) {
    if (auto model = optional_string(args, "model")) {
        return {*model, optional_string(args, "selector").value_or("")};
    }
    const std::string text = required_string(args, "target");
    if (known_model(vault, text)) {
        return {text, ""};
    }
    for (std::size_t at = text.rfind('@'); at != std::string::npos && at > 0;
         at = text.rfind('@', at - 1)) {
        if (known_model(vault, text.substr(0, at))) {
            return {text.substr(0, at), text.substr(at + 1)};
        }
    }
    const std::string model = text.substr(0, text.find('@'));
    if (auto id = vault::ModelId::parse(model); !id) {
        throw Error(id.error(), ErrorCode::invalid_argument);
    }
    throw unknown_model(vault, model);
}

Error unknown_model(const vault::Vault& vault, const std::string& model) {
    const auto models = vault.models();
    return Error(models.empty()
                     ? fmt::format("no model {} in the vault: the vault is empty", model)
                     : fmt::format("no model {} in the vault; `modelvaultctl list` shows the {} "
                                   "model(s) it holds",
                                   model, models.size()),
                 ErrorCode::not_found);
}

vault::Manifest resolve(const vault::Vault& vault, const Target& target) {
    auto versions = vault.versions(target.model);
    if (versions.empty()) {
        throw Error(fmt::format("no model {} in the vault", target.model), ErrorCode::not_found);
    }
    const vault::Pointers pointers{vault.pointer(target.model, vault::Pointer::best),
                                   vault.pointer(target.model, vault::Pointer::current)};
    return value_or_throw(vault::select_version(versions, target.model, target.selector, pointers),
                          "", ErrorCode::not_found);
}

json manifest_json(const vault::Vault& vault, const vault::Manifest& manifest) {
    json j = vault::to_json(manifest, false);
    j["tags"] = vault.tags_of(manifest);
    return j;
}

json version_summary(const vault::Vault& vault, const vault::Manifest& m) {
    return {{"model", m.model},
            {"version", m.version.to_string()},
            {"sequence", m.sequence},
            {"created", format_utc(m.created)},
            {"trigger", vault::to_string(m.trigger)},
            {"bump", m.bump},
            {"reason", m.reason},
            {"size", m.total_size()},
            {"stored", m.storage.new_bytes},
            {"files", m.files.size()},
            {"tags", vault.tags_of(m)},
            {"metrics", m.metrics},
            {"params", m.params},
            {"note", m.note},
            {"notes", vault::to_json(m, false)["notes"]},
            {"incomplete", m.incomplete},
            {"metrics_missing", m.metrics_missing},
            {"checkpoint", vault::to_json(m)["checkpoint"]}};
}

// Tags a user may set; `best`, `current` and `latest` are maintained by modelvaultd.
void check_tag(const std::string& tag) {
    if (tag == "best" || tag == "current" || tag == "latest") {
        throw Error(fmt::format("\"{}\" is maintained by modelvaultd (best: the improvement "
                                "trigger, current: rollback, latest: the newest version); "
                                "choose another tag",
                                tag),
                    ErrorCode::invalid_argument);
    }
    const bool valid = !tag.empty() && std::all_of(tag.begin(), tag.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '.' || ch == '_' ||
               ch == '-';
    });
    if (!valid) {
        throw Error(fmt::format("tag \"{}\" may only use letters, digits, '.', '_' and '-'", tag),
                    ErrorCode::invalid_argument);
    }
}

std::vector<std::string> models_in_scope(Services& services,
                                         const std::optional<std::string>& model) {
    const vault::Vault& vault = services.vault();
    if (!model) {
        return vault.models();
    }
    if (!vault.versions(*model).empty()) {
        return {*model};
    }
    std::vector<std::string> of_watch;
    for (auto& id : vault.models()) {
        if (id.starts_with(*model + "/")) {
            of_watch.push_back(std::move(id));
        }
    }
    const auto& watches = services.config().watches;
    const bool watch = std::any_of(watches.begin(), watches.end(),
                                   [&](const config::Watch& w) { return w.name == *model; });
    if (!of_watch.empty() || watch) {
        return of_watch;
    }
    throw Error(fmt::format("no model or watch {} in the vault; `modelvaultctl list` shows every "
                            "version of every model, `modelvaultctl status` the watches",
                            *model),
                ErrorCode::not_found);
}

} // namespace mv::daemon::commands
