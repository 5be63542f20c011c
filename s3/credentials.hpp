#pragma once
// S3 credentials from an AWS shared-credentials file (the `~/.aws/credentials` format:
// an INI file whose `[default]` section holds `aws_access_key_id` and
// `aws_secret_access_key`). docs/CONFIG.md, "replicas".

#include <filesystem>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv::s3 {

/// An access key pair. The secret never appears in messages or logs.
struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
};

/// Reads the `profile` section of the shared-credentials file `path`. Refuses a file
/// that others than its owner may read or write (a secret readable by every user of
/// the machine is already leaked), a missing section or key, and an unparsable file;
/// each message names the file and what to change.
Result<Credentials> load_credentials(const std::filesystem::path& path,
                                     std::string_view profile = "default");

} // namespace mv::s3
