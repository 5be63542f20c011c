// The `checkpoints` key of a watch: a preset name, or an object with a pattern.
#include "config/checkpoint_pattern.hpp"
#include "config/detail/read_watch.hpp"
#include "config/detail/text_checks.hpp"

namespace mv::config::detail {

namespace {

std::optional<CheckpointPreset> read_preset(const Json& value, const KeyPath& path,
                                            Checker& checker) {
    return to_enum<CheckpointPreset>(value, path, checker,
                                     {{"lightning", CheckpointPreset::lightning},
                                      {"huggingface", CheckpointPreset::huggingface},
                                      {"sb3", CheckpointPreset::sb3},
                                      {"keras", CheckpointPreset::keras},
                                      {"orbax", CheckpointPreset::orbax},
                                      {"torch-dcp", CheckpointPreset::torch_dcp}});
}

} // namespace

void read_checkpoints(const Json& value, const KeyPath& path, Checker& checker,
                      Checkpoints& checkpoints) {
    if (value.is_string()) {
        if (auto preset = read_preset(value, path, checker)) {
            checkpoints.preset = *preset;
        }
        return;
    }
    bool has_preset = false;
    bool has_pattern = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"preset",
             [&](const Json& v, const KeyPath& p) {
                 has_preset = true;
                 if (auto preset = read_preset(v, p, checker)) {
                     checkpoints.preset = *preset;
                 }
             }},
            {"pattern",
             [&](const Json& v, const KeyPath& p) {
                 has_pattern = true;
                 if (auto text = to_text(v, p, checker)) {
                     if (auto parts = parse_checkpoint_pattern(*text)) {
                         checkpoints.pattern = std::move(*parts);
                         checkpoints.pattern_text = *text;
                     } else {
                         checker.report(p, parts.error());
                     }
                 }
             }},
            {"name",
             [&](const Json& v, const KeyPath& p) {
                 if (auto name = to_text(v, p, checker, check_watch_name)) {
                     checkpoints.name = *name;
                 }
             }},
        },
        "a preset name (\"lightning\", \"huggingface\", \"sb3\", \"keras\", \"orbax\", "
        "\"torch-dcp\") or an object with \"pattern\"");
    if (is_object && !has_preset && !has_pattern) {
        checker.report(path, "expected \"preset\" and/or \"pattern\", such as "
                             "{\"pattern\": \"checkpoint-{step}\"}");
    }
}

} // namespace mv::config::detail
