#pragma once
// Rebuilding a vault from its replica when the machine or its disk is gone
// (docs/REPLICAS.md): every replicated object is downloaded into an empty folder, the
// content-addressed ones checked against their names, each written atomically; packs
// first, then manifests, then histories, so a recovery cut short never holds a version
// whose data is missing. The replica's index files are left there (one may list packs
// the replica's retention removed since): the daemon opens the folder as a vault and
// rebuilds the index from the packs' headers.

#include <filesystem>

#include "s3/transfer_pool.hpp"

namespace mv::replica {

struct RecoveryReport {
    std::size_t files = 0;
    std::size_t versions = 0; ///< manifests
    std::uint64_t bytes = 0;
};

/// Downloads the replica into `target`, which must not exist or be empty. Throws
/// s3::S3Error or Error (a download that does not hash to its name, an object the
/// replica should not hold, a target that is not empty). Can be run again after a
/// failure: files already there are checked and kept.
RecoveryReport recover(s3::TransferPool& pool, const std::filesystem::path& target);

} // namespace mv::replica
