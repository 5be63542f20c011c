// Reading a manifest from JSON (docs/FORMAT.md, "Manifests"; format 1 for migration and
// imports): every field checked, the first problem named precisely.
#include <charconv>
#include <type_traits>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/json_depth.hpp"
#include "vault/manifest.hpp"
#include "vault/model_id.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;

// Reads manifest fields, remembering the first problem so that the caller gets one
// precise message ("manifest: files[2].sha256: expected 64 hex characters").
class FieldReader {
public:
    explicit FieldReader(const json& object, std::string path = {})
        : m_object(object), m_path(std::move(path)) {}

    template <typename T>
    T get(const char* key, T fallback = T{}) {
        const json* value = find(key);
        if (value == nullptr) {
            return fallback;
        }
        // nlohmann casts a float to an integer type unchecked (undefined behaviour out of
        // range), and reads an integer of more than 64 bits as a float: an integer field
        // takes integers only (found by tests/fuzz/fuzz_manifest).
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            if (!value->is_number_integer()) {
                fail(key, fmt::format("expected an integer, not {}", value->dump()));
                return fallback;
            }
        }
        try {
            return value->get<T>();
        } catch (const json::exception&) {
            fail(key, fmt::format("unexpected value {}", value->dump()));
            return fallback;
        }
    }
    const json* find(const char* key) {
        if (!m_object.is_object()) {
            fail("", "expected an object");
            return nullptr;
        }
        const auto it = m_object.find(key);
        return it == m_object.end() || it->is_null() ? nullptr : &*it;
    }
    void require(const char* key) {
        if (find(key) == nullptr) {
            fail(key, "missing");
        }
    }
    void fail(std::string_view key, std::string_view message) {
        if (m_error.empty()) {
            m_error = fmt::format("manifest: {}{}{}: {}", m_path,
                                  m_path.empty() || key.empty() ? "" : ".", key, message);
        }
    }
    std::string& error() { return m_error; }

private:
    const json& m_object;
    std::string m_path;
    std::string m_error;
};

std::string unescape_or_keep(FieldReader& reader, const char* key, const std::string& text) {
    auto raw = unescape_name(text);
    if (!raw) {
        reader.fail(key, raw.error());
        return text;
    }
    return *raw;
}

// The notes added after the version was made (absent in manifests written before them).
void read_notes(FieldReader& r, Manifest& m) {
    const auto* notes = r.find("notes");
    if (notes == nullptr) {
        return;
    }
    if (!notes->is_array()) {
        r.fail("notes", "expected an array");
        return;
    }
    for (std::size_t i = 0; i < notes->size(); ++i) {
        FieldReader nr((*notes)[i], fmt::format("notes[{}]", i));
        Note note;
        note.text = nr.get<std::string>("text");
        note.tags = nr.get<std::vector<std::string>>("tags");
        note.uid = nr.get<long long>("uid", -1);
        note.user = nr.get<std::string>("user");
        if (auto t = parse_time(nr.get<std::string>("time", "1970-01-01T00:00:00Z")); t) {
            note.time = *t;
        } else {
            nr.fail("time", t.error());
        }
        if (!nr.error().empty()) {
            r.fail("", nr.error().substr(std::string_view("manifest: ").size()));
        }
        m.notes.push_back(std::move(note));
    }
}

// The fields of checkpoint series and metrics (absent in manifests written before them).
void read_series_fields(FieldReader& r, Manifest& m) {
    if (const auto* c = r.find("checkpoint"); c != nullptr) {
        FieldReader cr(*c, "checkpoint");
        CheckpointInfo info;
        info.name = unescape_or_keep(cr, "name", cr.get<std::string>("name"));
        if (cr.find("step") != nullptr) {
            info.step = cr.get<std::int64_t>("step");
        }
        if (cr.find("epoch") != nullptr) {
            info.epoch = cr.get<std::int64_t>("epoch");
        }
        info.folder = cr.get<bool>("folder");
        if (!cr.error().empty()) {
            r.fail("", cr.error().substr(std::string_view("manifest: ").size()));
        }
        m.checkpoint = std::move(info);
    }
    m.metrics_missing = r.get<bool>("metrics_missing");
    if (const auto* files = r.find("metrics_files"); files != nullptr && files->is_array()) {
        for (std::size_t i = 0; i < files->size(); ++i) {
            FieldReader fr((*files)[i], fmt::format("metrics_files[{}]", i));
            MetricsFileRef ref;
            ref.path = unescape_or_keep(fr, "path", fr.get<std::string>("path"));
            ref.sha256 = fr.get<std::string>("sha256");
            if (!is_sha256_hex(ref.sha256)) {
                fr.fail("sha256", "expected 64 lowercase hex characters");
            }
            if (!fr.error().empty()) {
                r.fail("", fr.error().substr(std::string_view("manifest: ").size()));
            }
            m.metrics_files.push_back(std::move(ref));
        }
    }
}

void read_chunks(FieldReader& reader, const json* list, FileEntry& file) {
    if (list == nullptr && reader.find("chunk_count") != nullptr) {
        // A summary sent over the socket: the count without the list.
        file.chunk_count = reader.get<std::size_t>("chunk_count");
        return;
    }
    if (list == nullptr || !list->is_array()) {
        reader.fail("chunks", "expected an array of [id, size] pairs");
        return;
    }
    std::uint64_t total = 0;
    file.chunks.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json& pair = (*list)[i];
        const auto id = pair.is_array() && pair.size() == 2 && pair[0].is_string()
                            ? store::Digest::from_hex(pair[0].get_ref<const std::string&>())
                            : std::nullopt;
        if (!id || !pair[1].is_number_unsigned()) {
            reader.fail(fmt::format("chunks[{}]", i), "expected [64 hex characters, size]");
            return;
        }
        file.chunks.push_back({*id, pair[1].get<std::uint64_t>()});
        total += file.chunks.back().size;
    }
    file.chunk_count = file.chunks.size();
    if (total != file.size) {
        reader.fail("chunks", fmt::format("the chunks add up to {} bytes, the file has {}", total,
                                          file.size));
    }
}

FileEntry read_file_entry(FieldReader& r, const json& object, std::size_t i, bool format2) {
    FieldReader fr(object, fmt::format("files[{}]", i));
    FileEntry f;
    f.path = unescape_or_keep(fr, "path", fr.get<std::string>("path"));
    const auto role = fr.get<std::string>("role");
    if (role != "model" && role != "sidecar") {
        fr.fail("role", "expected \"model\" or \"sidecar\"");
    }
    f.role = role == "sidecar" ? FileRole::sidecar : FileRole::model;
    f.size = fr.get<std::uint64_t>("size");
    const auto mode_text = fr.get<std::string>("mode", "0644");
    const auto [end, ec] =
        std::from_chars(mode_text.data(), mode_text.data() + mode_text.size(), f.mode, 8);
    if (ec != std::errc{} || end != mode_text.data() + mode_text.size() || f.mode > 07777) {
        fr.fail("mode", "expected octal permission bits such as \"0644\"");
    }
    f.mtime_ns = fr.get<std::int64_t>("mtime_ns");
    f.sha256 = fr.get<std::string>("sha256");
    if (!is_sha256_hex(f.sha256)) {
        fr.fail("sha256", "expected 64 lowercase hex characters");
    }
    f.format = fr.get<std::string>("format", "unknown");
    f.format_mismatch = fr.get<bool>("format_mismatch");
    if (format2) {
        read_chunks(fr, fr.find("chunks"), f);
    }
    if (!fr.error().empty()) {
        r.fail("", fr.error().substr(std::string_view("manifest: ").size()));
    }
    return f;
}

void read_storage(FieldReader& r, Manifest& m) {
    const auto* s = r.find("storage");
    if (s == nullptr) {
        r.fail("storage", "missing");
        return;
    }
    FieldReader sr(*s, "storage");
    m.storage.codec = sr.get<std::string>("codec");
    m.storage.level = sr.get<int>("level");
    m.storage.byte_grouping = sr.get<bool>("byte_grouping", true);
    m.storage.encrypted = sr.get<bool>("encrypted");
    m.storage.chunk_names = sr.get<std::string>("chunk_names", "sha256");
    m.storage.new_chunks = sr.get<std::uint64_t>("new_chunks");
    m.storage.new_bytes = sr.get<std::uint64_t>("new_bytes");
    // An encrypted vault names chunks with a keyed MAC (docs/FORMAT.md, "Encryption").
    if (m.storage.chunk_names != (m.storage.encrypted ? "hmac-sha256" : "sha256")) {
        sr.fail("chunk_names", m.storage.encrypted
                                   ? "an encrypted version's chunks are named by hmac-sha256"
                                   : "chunks named other than by SHA-256 need a newer modelvault");
    }
    if (!sr.error().empty()) {
        r.fail("", sr.error().substr(std::string_view("manifest: ").size()));
    }
}

void read_archive(FieldReader& r, Manifest& m) {
    if (const auto* a = r.find("archive"); a != nullptr) {
        FieldReader ar(*a, "archive");
        m.archive.file = ar.get<std::string>("file");
        m.archive.size = ar.get<std::uint64_t>("size");
        m.archive.sha256 = ar.get<std::string>("sha256");
        m.archive.codec = ar.get<std::string>("codec");
        m.archive.level = ar.get<int>("level");
        m.archive.encrypted = ar.get<bool>("encrypted");
        // The archive lay next to the sidecar: a name with a '/' (or "..") would let a
        // sidecar hand out any file the daemon can open.
        if (const auto& name = m.archive.file;
            name.empty() || name == "." || name == ".." ||
            name.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
            ar.fail("file", fmt::format("\"{}\" is not a file name in the model's folder",
                                        escape_name(name)));
        }
        if (!ar.error().empty()) {
            r.fail("", ar.error().substr(std::string_view("manifest: ").size()));
        }
    }
}

} // namespace

Result<Manifest> manifest_from_json(const nlohmann::json& j) {
    FieldReader r(j);
    Manifest m;
    if (r.get<std::string>("format") != "modelvault-manifest") {
        r.fail("format", "expected \"modelvault-manifest\"");
    }
    m.format_version = r.get<int>("format_version");
    if (m.format_version != 1 && m.format_version != k_manifest_format_version) {
        r.fail("format_version", fmt::format("version {} is not supported by this modelvault "
                                             "(supports 1 and {}); upgrade modelvault",
                                             m.format_version, k_manifest_format_version));
    }
    const bool format2 = m.format_version >= 2;
    for (const char* key : {"model", "watch", "version", "sequence", "created", "trigger", "files",
                            format2 ? "storage" : "archive"}) {
        r.require(key);
    }
    m.model = r.get<std::string>("model");
    m.watch = r.get<std::string>("watch");
    // The model id names the version's folder: a sidecar must not be able to name another.
    if (auto id = ModelId::parse(m.model); r.find("model") != nullptr && !id) {
        r.fail("model", id.error());
    }
    if (auto v = Version::parse(r.get<std::string>("version")); v) {
        m.version = *v;
    } else {
        r.fail("version", "expected MAJOR.MINOR.PATCH");
    }
    m.sequence = r.get<std::uint64_t>("sequence");
    if (auto t = parse_time(r.get<std::string>("created", "1970-01-01T00:00:00Z")); t) {
        m.created = *t;
    } else {
        r.fail("created", t.error());
    }
    if (auto t = parse_trigger(r.get<std::string>("trigger")); t) {
        m.trigger = *t;
    } else {
        r.fail("trigger", "unknown trigger");
    }
    m.bump = r.get<std::string>("bump");
    m.reason = r.get<std::string>("reason");
    if (const auto* parent = r.find("parent"); parent != nullptr) {
        auto v = parent->is_string() ? Version::parse(parent->get<std::string>()) : std::nullopt;
        if (!v) {
            r.fail("parent", "expected MAJOR.MINOR.PATCH or null");
        }
        m.parent = v;
    }
    if (const auto* files = r.find("files"); files != nullptr && files->is_array()) {
        for (std::size_t i = 0; i < files->size(); ++i) {
            m.files.push_back(read_file_entry(r, (*files)[i], i, format2));
        }
    } else {
        r.fail("files", "expected an array");
    }
    m.metrics = r.find("metrics") ? *r.find("metrics") : json::object();
    m.compat = r.find("compat") ? *r.find("compat") : json::object();
    // Absent from manifests written before params_file existed.
    m.params = r.find("params") ? *r.find("params") : json::object();
    if (!m.params.is_object()) {
        r.fail("params", "expected an object");
    }
    m.tags = r.get<std::vector<std::string>>("tags");
    m.note = r.get<std::string>("note");
    read_notes(r, m);
    m.host = r.get<std::string>("host");
    m.incomplete = r.get<bool>("incomplete");
    read_series_fields(r, m);
    m.revision = r.get<std::uint64_t>("revision");
    if (format2) {
        read_storage(r, m);
    } else {
        read_archive(r, m);
    }
    if (!r.error().empty()) {
        return failure(r.error());
    }
    return m;
}

Result<Manifest> parse_manifest(std::string_view text) {
    if (auto shallow = check_json_depth(text, "the manifest", k_max_manifest_depth); !shallow) {
        return failure(shallow.error());
    }
    // Inside an archive the manifest is padded with spaces up to its reserve.
    const std::size_t size = text.find_last_not_of(" \n") + 1;
    if (size > k_max_manifest_bytes) {
        return failure(fmt::format("the manifest has {} bytes, more than the {} a manifest may "
                                   "have",
                                   size, k_max_manifest_bytes));
    }
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        // Also out_of_range: a number like 1e999 parses but fits no double (tests/fuzz).
        return failure(fmt::format("manifest is not valid JSON: {}", e.what()));
    }
    return manifest_from_json(j);
}

} // namespace mv::vault
