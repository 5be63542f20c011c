#pragma once
// Reading an off-site replica from modelvaultctl, without the daemon or the vault
// (docs/REPLICAS.md): `list --replica` and `restore --replica`.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/model.hpp"
#include "ctl/app.hpp"
#include "s3/client.hpp"
#include "store/codec.hpp"
#include "store/digest.hpp"
#include "store/pack_format.hpp"
#include "store/sealing.hpp"
#include "vault/manifest.hpp"

namespace mv::ctl {

/// A replica as modelvaultctl reads it. For an encrypted vault's replica, what opens its
/// objects: the master key unwrapped from a key record on the replica (keys/) with the
/// config's `encryption.key_file` (docs/FORMAT.md, "Encryption").
struct ReplicaSource {
    std::string name;
    std::unique_ptr<s3::Client> client;
    store::Sealing sealing;                   ///< a plain vault's passes bytes through
    std::unique_ptr<store::ChunkNamer> namer; ///< how the vault names its chunks
    /// Each watch's `compat` keys, by watch name, from the config: what
    /// `restore --replica --compatible-with` compares.
    std::map<std::string, config::Compat> compat_rules;
};

/// The compat keys of `model`'s watch; nullopt when its watch has none (or is not in the
/// config).
std::optional<config::Compat> compat_rule_of(const ReplicaSource& source, const std::string& model);

/// Replica `name` of the daemon's config file (global.config), with that config's
/// credentials file (and key file, for an encrypted vault's replica). Throws UsageError
/// (no such config or replica) or Error (the key is missing or does not open it).
ReplicaSource open_replica(const GlobalOptions& global, const std::string& name);

/// The versions on the replica (of `model`, or all), by model, oldest first; a manifest
/// that does not hash to its name or cannot be read is skipped with a warning.
std::vector<vault::Manifest> replica_versions(ReplicaSource& source, const std::string& model,
                                              std::vector<std::string>* damaged = nullptr);

/// The version of `model` that `selector` names among `versions` (replica_versions()),
/// as the daemon resolves it: `best` and `current` from the model's history on the
/// replica. Throws Error(not_found) saying what the replica `replica` holds.
vault::Manifest select_on_replica(ReplicaSource& source,
                                  const std::vector<vault::Manifest>& versions,
                                  const std::string& model, const std::string& selector);

/// Where a chunk is on the replica.
struct Located {
    std::string pack; ///< key
    store::BlobEntry blob;
};
using Locations = std::unordered_map<store::ChunkId, Located, store::DigestHash>;

/// Which pack holds each chunk, from the replica's index files, for the packs the replica
/// holds with the size their index says (others are warned about).
Locations locate_chunks(ReplicaSource& source);

/// Chunk `ref` of `file` into `chunk`: fetched by range, decoded, checked against its name.
/// Throws Error(corrupt) naming the chunk, the file and the pack.
void fetch_chunk(ReplicaSource& source, const Locations& where, const vault::ChunkRef& ref,
                 const std::string& file, store::CodecContext& codec,
                 std::vector<std::uint8_t>& chunk);

/// Writes the files of `manifest` (with chunk lists) from the replica into `target`,
/// each checked (vault::extract_verified). Returns the files written.
std::vector<std::filesystem::path> restore_from_replica(ReplicaSource& source,
                                                        const vault::Manifest& manifest,
                                                        const std::filesystem::path& target,
                                                        bool force);

} // namespace mv::ctl
