#include "config/detail/read_replicas.hpp"

#include <algorithm>
#include <set>

#include "config/detail/read_notify.hpp"
#include "config/size.hpp"

namespace mv::config::detail {

namespace {

constexpr std::int64_t k_max_parallel = 64;

std::optional<std::string> check_name(const std::string& text) {
    const bool valid =
        !text.empty() && text.size() <= 32 && std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
    if (valid) {
        return std::nullopt;
    }
    return fmt::format("expected a name of 1 to 32 lower-case letters, digits, '-' and '_', "
                       "such as \"offsite\", got {}",
                       quote(text));
}

// The checks S3 itself makes on these fields are repeated by s3::validate() when the
// daemon starts; here only what the config can say with a key path.
std::optional<std::string> check_endpoint(const std::string& text) {
    if (text.starts_with("http://") || text.starts_with("https://")) {
        const auto rest = std::string_view(text).substr(text.find("//") + 2);
        if (!rest.empty() && rest.find_first_of("/?#@ ") == std::string_view::npos) {
            return std::nullopt;
        }
    }
    return fmt::format("expected http(s)://host[:port] without a path, such as "
                       "\"http://10.0.0.5:7480\" (leave `endpoint` out for AWS S3), got {}",
                       quote(text));
}

std::optional<std::string> check_prefix(const std::string& text) {
    if (text.empty() || (text.front() != '/' && text.back() == '/' &&
                         text.find("//") == std::string::npos && text.size() <= 512)) {
        return std::nullopt;
    }
    return fmt::format("expected a key prefix that ends in '/' and does not start with one, "
                       "such as \"trainer-1/\", got {}",
                       quote(text));
}

std::optional<std::uint64_t> to_bandwidth(const Json& value, const KeyPath& path,
                                          Checker& checker) {
    const std::string expected =
        "expected a rate such as \"50MiB/s\" (a size per second, at least 1KiB/s)";
    if (!value.is_string() || !value.get_ref<const std::string&>().ends_with("/s")) {
        checker.report(path, fmt::format("{}, got {}", expected, describe(value)));
        return std::nullopt;
    }
    const std::string& text = value.get_ref<const std::string&>();
    auto size = parse_size(std::string_view(text).substr(0, text.size() - 2));
    if (!size || *size < 1024) {
        checker.report(path, fmt::format("{}, got {}", expected, describe(value)));
        return std::nullopt;
    }
    return *size;
}

void read_s3(const Json& value, const KeyPath& path, Checker& checker,
             const std::filesystem::path& base_dir, ReplicaS3& s3) {
    bool has_bucket = false;
    bool has_credentials = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"endpoint",
             [&](const Json& v, const KeyPath& p) {
                 s3.endpoint = to_text(v, p, checker, check_endpoint).value_or("");
             }},
            {"bucket",
             [&](const Json& v, const KeyPath& p) {
                 has_bucket = true;
                 s3.bucket = to_text(v, p, checker, non_empty).value_or("");
             }},
            {"prefix",
             [&](const Json& v, const KeyPath& p) {
                 s3.prefix = to_text(v, p, checker, check_prefix).value_or("");
             }},
            {"region",
             [&](const Json& v, const KeyPath& p) {
                 s3.region = to_text(v, p, checker, non_empty).value_or(s3.region);
             }},
            {"credentials_file",
             [&](const Json& v, const KeyPath& p) {
                 has_credentials = true;
                 s3.credentials_file = to_path(v, p, checker, base_dir).value_or("");
             }},
        },
        "an object such as {\"endpoint\": \"http://10.0.0.5:7480\", \"bucket\": \"models\", "
        "\"credentials_file\": \"/etc/modelvault/s3-credentials\"}");
    if (is_object && !has_bucket) {
        checker.report_missing(path / "bucket", "required: the bucket that holds the replica");
    }
    if (is_object && !has_credentials) {
        checker.report_missing(path / "credentials_file",
                               "required: an AWS shared-credentials file with a [default] "
                               "section, such as \"/etc/modelvault/s3-credentials\"");
    }
}

void read_replica(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, Replica& replica) {
    bool has_name = false;
    bool has_s3 = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"name",
             [&](const Json& v, const KeyPath& p) {
                 has_name = true;
                 replica.name = to_text(v, p, checker, check_name).value_or("");
             }},
            {"s3",
             [&](const Json& v, const KeyPath& p) {
                 has_s3 = true;
                 read_s3(v, p, checker, base_dir, replica.s3);
             }},
            {"bandwidth",
             [&](const Json& v, const KeyPath& p) {
                 replica.bandwidth = to_bandwidth(v, p, checker).value_or(0);
             }},
            {"keep_removed",
             [&](const Json& v, const KeyPath& p) {
                 replica.keep_removed = to_duration(v, p, checker).value_or(replica.keep_removed);
             }},
            {"parallel",
             [&](const Json& v, const KeyPath& p) {
                 replica.parallel = static_cast<int>(
                     to_integer(v, p, checker, 1, k_max_parallel, "an integer from 1 to 64")
                         .value_or(replica.parallel));
             }},
        },
        "an object (a replica) such as {\"name\": \"offsite\", \"s3\": {…}}");
    if (is_object && !has_name) {
        checker.report_missing(path / "name", "required: a name such as \"offsite\"");
    }
    if (is_object && !has_s3) {
        checker.report_missing(path / "s3", "required: where the replica is stored");
    }
}

} // namespace

void read_replicas(const Json& value, const KeyPath& path, Checker& checker,
                   const std::filesystem::path& base_dir, std::vector<Replica>& replicas) {
    if (!value.is_array()) {
        checker.report(path, fmt::format("expected an array of replicas, got {}", describe(value)));
        return;
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < value.size(); ++i) {
        Replica replica;
        read_replica(value[i], path / i, checker, base_dir, replica);
        if (!replica.name.empty() && !names.insert(replica.name).second) {
            checker.report(path / i / "name",
                           fmt::format("another replica is already named {}; names must differ",
                                       quote(replica.name)));
        }
        replicas.push_back(std::move(replica));
    }
}

} // namespace mv::config::detail
