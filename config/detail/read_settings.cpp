#include "config/detail/read_settings.hpp"

#include <limits>

#include "config/detail/text_checks.hpp"

namespace mv::config::detail {

namespace {

struct LevelRange {
    int min;
    int max;
};

// What each codec's library accepts; `none` has no level.
std::optional<LevelRange> level_range(Codec codec) {
    switch (codec) {
    case Codec::zstd:
        return LevelRange{1, 19};
    case Codec::gzip:
        return LevelRange{1, 9};
    case Codec::xz:
        return LevelRange{0, 9};
    case Codec::none:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

void read_compression(const Json& value, const KeyPath& path, Checker& checker,
                      Compression& compression) {
    bool codec_known = true;
    std::optional<std::int64_t> level;
    KeyPath level_path;
    visit_members(value, path, checker,
                  {
                      {"codec",
                       [&](const Json& v, const KeyPath& p) {
                           auto codec = to_enum<Codec>(v, p, checker,
                                                       {{"zstd", Codec::zstd},
                                                        {"gzip", Codec::gzip},
                                                        {"xz", Codec::xz},
                                                        {"none", Codec::none}});
                           codec_known = codec.has_value();
                           compression.codec = codec.value_or(compression.codec);
                       }},
                      {"level",
                       [&](const Json& v, const KeyPath& p) {
                           level = to_integer(v, p, checker, k_int_min, k_int_max, "an integer");
                           level_path = p;
                       }},
                      {"threads",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto threads =
                                   to_integer(v, p, checker, 0, k_int_max,
                                              "a non-negative integer (0 = one per CPU core)")) {
                               compression.threads = static_cast<int>(*threads);
                           }
                       }},
                      {"byte_grouping",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto grouping = to_bool(v, p, checker)) {
                               compression.byte_grouping = *grouping;
                           }
                       }},
                  });
    // The range depends on the codec, which may come after the level in the file.
    if (!level || !codec_known) {
        return;
    }
    const auto range = level_range(compression.codec);
    if (range && (*level < range->min || *level > range->max)) {
        checker.report(level_path,
                       fmt::format("expected an integer from {} to {} for {}, got {}", range->min,
                                   range->max, to_string(compression.codec), *level));
        return;
    }
    compression.level = static_cast<int>(*level);
}

void read_encryption(const Json& value, const KeyPath& path, Checker& checker,
                     const std::filesystem::path& base_dir, Encryption& encryption) {
    bool has_key_file = false;
    const bool is_object =
        visit_members(value, path, checker,
                      {
                          {"key_file",
                           [&](const Json& v, const KeyPath& p) {
                               has_key_file = true;
                               if (auto file = to_path(v, p, checker, base_dir)) {
                                   encryption.key_file = *file;
                               }
                           }},
                      });
    if (is_object && !has_key_file) {
        checker.report_missing(path / "key_file",
                               "required: the key file (32 raw bytes or 64 hex characters), "
                               "such as \"/etc/modelvault/vault.key\"");
    }
}

void read_access(const Json& value, const KeyPath& path, Checker& checker, Access& access) {
    visit_members(value, path, checker,
                  {
                      {"socket_group",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto group = to_text(v, p, checker, check_group_name)) {
                               access.socket_group = *group;
                           }
                       }},
                      {"read",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto names = to_text_list(v, p, checker, check_principal)) {
                               access.read = std::move(*names);
                           }
                       }},
                      {"write",
                       [&](const Json& v, const KeyPath& p) {
                           if (auto names = to_text_list(v, p, checker, check_principal)) {
                               access.write = std::move(*names);
                           }
                       }},
                  });
}

} // namespace mv::config::detail
