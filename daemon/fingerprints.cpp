#include "daemon/fingerprints.hpp"

#include <algorithm>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/json_depth.hpp"
#include "util/time.hpp"

namespace mv::daemon {

using nlohmann::json;

ModelFingerprint take_fingerprint(const config::Watch& watch,
                                  const std::vector<std::string>& files) {
    ModelFingerprint fingerprint;
    for (const auto& relative : files) {
        struct stat st {};
        if (::lstat((watch.path / relative).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        fingerprint.push_back({relative, static_cast<std::uint64_t>(st.st_size),
                               saturating_ns(st.st_mtim.tv_sec, st.st_mtim.tv_nsec),
                               static_cast<std::uint64_t>(st.st_ino)});
    }
    return fingerprint;
}

std::string path_in_model(const std::string& model, const std::string& file) {
    if (model.empty()) {
        return file;
    }
    const std::size_t slash = file.rfind('/');
    return slash == std::string::npos ? file : file.substr(slash + 1);
}

std::string path_in_checkpoint(const watcher::CheckpointRef& checkpoint, const std::string& file) {
    if (checkpoint.folder) {
        return file.size() > checkpoint.member.size() ? file.substr(checkpoint.member.size() + 1)
                                                      : file;
    }
    const std::size_t slash = file.rfind('/');
    return slash == std::string::npos ? file : file.substr(slash + 1);
}

std::string checkpoint_key(const std::string& model_id, const std::string& member) {
    return model_id + "\n" + escape_name(member);
}

namespace {

template <typename StoredAs>
bool same_files(const ModelFingerprint& fingerprint, const StoredAs& stored_as,
                const vault::Manifest& manifest) {
    const auto files = manifest.model_files();
    if (files.size() != fingerprint.size()) {
        return false;
    }
    for (const auto& file : fingerprint) {
        const bool found = std::any_of(files.begin(), files.end(), [&](const vault::FileEntry* f) {
            return f->path == stored_as(file.path) && f->size == file.size &&
                   f->mtime_ns == file.mtime_ns;
        });
        if (!found) {
            return false;
        }
    }
    return true;
}

} // namespace

bool matches_manifest(const ModelFingerprint& fingerprint, const std::string& model,
                      const vault::Manifest& manifest) {
    return same_files(
        fingerprint, [&](const std::string& file) { return path_in_model(model, file); }, manifest);
}

bool matches_manifest(const ModelFingerprint& fingerprint, const watcher::CheckpointRef& checkpoint,
                      const vault::Manifest& manifest) {
    return manifest.checkpoint && manifest.checkpoint->name == checkpoint.name() &&
           same_files(
               fingerprint,
               [&](const std::string& file) { return path_in_checkpoint(checkpoint, file); },
               manifest);
}

FingerprintStore::FingerprintStore(std::filesystem::path file, std::filesystem::path tmp_dir)
    : m_file(std::move(file)), m_tmp_dir(std::move(tmp_dir)) {
    auto text = fs::read_file(m_file);
    if (!text) {
        return; // first start, or lost: the start-up scan falls back to the manifests
    }
    try {
        value_or_throw(check_json_depth(*text, m_file.string()));
        const json state = json::parse(*text);
        for (const auto& [model, files] : state.at("models").items()) {
            ModelFingerprint fingerprint;
            for (const auto& f : files) {
                auto path = unescape_name(f.at("path").get<std::string>());
                if (!path) {
                    throw std::runtime_error(path.error());
                }
                fingerprint.push_back({*path, f.at("size").get<std::uint64_t>(),
                                       f.at("mtime_ns").get<std::int64_t>(),
                                       f.at("inode").get<std::uint64_t>()});
            }
            m_models.emplace(model, std::move(fingerprint));
        }
    } catch (const std::exception& e) {
        spdlog::warn("ignoring damaged {} ({}); the start-up scan compares with the manifests "
                     "instead",
                     m_file.string(), e.what());
        m_models.clear();
    }
}

std::optional<ModelFingerprint> FingerprintStore::get(const std::string& model) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_models.find(model);
    return it == m_models.end() ? std::nullopt : std::optional<ModelFingerprint>(it->second);
}

void FingerprintStore::put(const std::string& model, ModelFingerprint fingerprint) {
    std::lock_guard lock(m_mutex);
    auto& slot = m_models[model];
    if (slot == fingerprint) {
        return;
    }
    slot = std::move(fingerprint);
    save_locked();
}

void FingerprintStore::save_locked() const {
    json models = json::object();
    for (const auto& [model, files] : m_models) {
        json list = json::array();
        for (const auto& f : files) {
            list.push_back({{"path", escape_name(f.path)},
                            {"size", f.size},
                            {"mtime_ns", f.mtime_ns},
                            {"inode", f.inode}});
        }
        models[model] = std::move(list);
    }
    const json state = {{"format", "modelvault-fingerprints"}, {"version", 1}, {"models", models}};
    if (auto saved = fs::write_file_atomic(m_file, state.dump() + "\n", m_tmp_dir); !saved) {
        spdlog::warn("cannot save {}: {} (the next start-up scan may re-read unchanged models)",
                     m_file.string(), saved.error());
    }
}

} // namespace mv::daemon
