#pragma once
// What the vault holds for one watch, for status: its models and its newest version. The
// vault keys models by id ("lab/dqn.pkl"), so a watch's models are those whose id is the
// watch's name or starts with it and a "/".

#include <cstddef>
#include <optional>
#include <string>

#include "vault/vault.hpp"

namespace mv::daemon {

/// True when the model id `model` belongs to the watch named `watch`.
bool belongs_to_watch(const std::string& model, const std::string& watch);

/// How many models of `watch` the vault holds.
std::size_t count_models(const vault::Vault& vault, const std::string& watch);

/// The most recently created version of any model of `watch` (nullopt when none).
std::optional<vault::Manifest> newest_version(const vault::Vault& vault, const std::string& watch);

} // namespace mv::daemon
