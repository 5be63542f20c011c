#pragma once
// Internal to config/: the `http` key, the daemon's HTTP server (docs/HTTP.md).

#include <filesystem>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// `http`: {listen, tokens_file, tls_cert, tls_key}. The TLS files come as a pair; a
/// non-loopback address needs them (without TLS, tokens would cross the network in clear
/// text). The files themselves are read by the daemon (http/tls.hpp), at start and reload.
void read_http(const Json& value, const KeyPath& path, Checker& checker,
               const std::filesystem::path& base_dir, Http& http);

} // namespace mv::config::detail
