#include "vault/readme.hpp"

#include <fmt/format.h>

#include "util/escape.hpp"

namespace mv::vault {

namespace {

std::string unpack_command(const std::string& codec, const std::string& file) {
    if (codec == "zstd") {
        return "tar --zstd -xf " + file;
    }
    if (codec == "gzip") {
        return "tar -xzf " + file;
    }
    if (codec == "xz") {
        return "tar -xJf " + file;
    }
    return "tar -xf " + file;
}

void append_json_section(std::string& out, const char* title, const nlohmann::json& values) {
    if (values.is_null() || values.empty()) {
        return;
    }
    out += fmt::format("\n## {}\n\n```json\n{}\n```\n", title,
                       values.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace

std::string render_readme(const Manifest& m) {
    std::string out = fmt::format("# {} {}\n\n", m.model, m.version.to_string());
    out += fmt::format("Backed up by modelvault on {} from host `{}`.\n\n", format_utc(m.created),
                       m.host);
    out += fmt::format("- Trigger: {}{}\n", to_string(m.trigger),
                       m.reason.empty() ? "" : " — " + m.reason);
    out +=
        fmt::format("- Version: {} (sequence {}, {} bump{})\n", m.version.to_string(), m.sequence,
                    m.bump, m.parent ? ", parent " + m.parent->to_string() : std::string());
    if (!m.tags.empty()) {
        out += fmt::format("- Tags: {}\n", fmt::join(m.tags, ", "));
    }
    if (!m.note.empty()) {
        out += fmt::format("- Note: {}\n", m.note);
    }
    if (m.incomplete) {
        out +=
            "- Warning: the model failed its format's completeness check when it was backed up\n";
    }
    out += "\n## Files\n\n| file | size | SHA-256 | format |\n|---|---|---|---|\n";
    for (const auto& file : m.files) {
        out += fmt::format("| `{}` | {} | `{}` | {}{} |\n", escape_name(file.member()), file.size,
                           file.sha256, file.format, file.format_mismatch ? " (unexpected)" : "");
    }
    append_json_section(out, "Metrics", m.metrics);
    append_json_section(out, "Compatibility keys", m.compat);
    append_json_section(out, "Parameters", m.params);
    out += fmt::format("\n## Getting the model back\n\n"
                       "    modelvaultctl restore {}@{} --to DIR\n\n"
                       "or, from the archive `modelvaultctl export` writes, without modelvault:\n\n"
                       "    {}\n\n"
                       "`manifest.json` lists every file with its SHA-256 "
                       "(`sha256sum -c` can check them).\n",
                       m.model, m.version.to_string(),
                       m.format_version >= 2 ? unpack_command("zstd", export_file_name(m))
                                             : unpack_command(m.archive.codec, m.archive.file));
    return out;
}

std::string export_file_name(const Manifest& manifest) {
    std::string base = manifest.model.substr(manifest.model.rfind('/') + 1);
    for (char& c : base) {
        c = c == '\\' ? '_' : c;
    }
    return fmt::format("{}-{}.tar.zst", base, manifest.version.to_string());
}

} // namespace mv::vault
