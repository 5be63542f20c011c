// A synthetic vault of format 2 holding CHUNKS distinct chunks (issue 12: one with a
// million chunks must open in <= 5 s with the daemon under 128 MiB), written through the
// project's own writers so that every file is in the real format (docs/FORMAT.md):
//   - Vault::open creates the vault (vault.json, its folders);
//   - each version is one backup: a store write session puts PER_VERSION tiny distinct
//     chunks (64 bytes, incompressible, made from a counter) and commits them, which
//     writes real packs and one index file per version, exactly as a backup does;
//   - a manifest per version lists them as the chunks of one file, written with
//     write_manifest_file like a backup's commit.
// Real chunks are 0.5-8 MiB; only their number matters here (the index, the manifests and
// the pack list the daemon loads at open). PER_PACK chunks go in each pack (16 is what a
// 32 MiB pack of 2 MiB chunks holds), so the vault has as many packs as a real one would.
//
//   mv_million_chunks VAULT [CHUNKS] [PER_VERSION] [PER_PACK]   defaults 1000000 5000 16
// VAULT must not exist yet or be empty. Prints the counts and how long it took.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>

#include "store/sha256.hpp"
#include "store/store.hpp"
#include "store/write_session.hpp"
#include "util/error.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"
#include "vault/manifest_file.hpp"
#include "vault/vault.hpp"

namespace {

using namespace mv;
namespace stdfs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t k_chunk_bytes = 64;
const char* const k_watch = "bench";
const char* const k_file = "million.bin";

struct Options {
    stdfs::path vault;
    std::uint64_t chunks = 1'000'000;
    std::uint64_t per_version = 5'000;
    std::uint64_t per_pack = 16;
};

std::uint64_t count_argument(const char* text, const char* what) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (end == text || *end != '\0' || value == 0) {
        std::fprintf(stderr, "mv_million_chunks: %s must be a positive number, not \"%s\"\n", what,
                     text);
        std::exit(2);
    }
    return value;
}

Options parse_options(int argc, char** argv) {
    if (argc < 2 || argc > 5) {
        std::fprintf(stderr, "usage: mv_million_chunks VAULT [CHUNKS] [PER_VERSION] [PER_PACK]\n");
        std::exit(2);
    }
    Options options;
    options.vault = argv[1];
    if (argc > 2) {
        options.chunks = count_argument(argv[2], "CHUNKS");
    }
    if (argc > 3) {
        options.per_version = count_argument(argv[3], "PER_VERSION");
    }
    if (argc > 4) {
        options.per_pack = count_argument(argv[4], "PER_PACK");
    }
    return options;
}

// Chunk `n`: two SHA-256 digests of the counter, so every chunk is distinct and zstd
// cannot shrink it (the codec stores it raw: each blob is exactly k_chunk_bytes).
void make_chunk(std::uint64_t n, store::Sha256& sha, std::uint8_t* out) {
    for (std::uint8_t half = 0; half < 2; ++half) {
        sha.update(&half, 1);
        sha.update(&n, sizeof n);
        const auto digest = sha.digest();
        std::memcpy(out + half * digest.size(), digest.data(), digest.size());
    }
}

// What the vault writer's draft_manifest and numbering would give version `index`
// (0-based) of the model: 1.0.0, 1.0.1, ... each the child of the one before.
vault::Manifest draft(std::uint64_t index, SystemTime created) {
    vault::Manifest manifest;
    manifest.model = std::string(k_watch) + "/" + k_file;
    manifest.watch = k_watch;
    manifest.version = vault::Version{1, 0, static_cast<unsigned>(index)};
    manifest.sequence = index + 1;
    manifest.created = created;
    manifest.trigger = vault::Trigger::manual;
    manifest.bump = index == 0 ? "initial" : "patch";
    manifest.reason = "synthetic version of bench/million_chunks.cpp";
    if (index > 0) {
        manifest.parent = vault::Version{1, 0, static_cast<unsigned>(index - 1)};
    }
    manifest.host = "bench";
    manifest.storage.codec = "zstd";
    manifest.storage.level = 3;
    return manifest;
}

// One backup: `count` new chunks from `first` on, committed, then the manifest naming them.
void write_version(store::Store& store, const Options& options, std::uint64_t index,
                   std::uint64_t first, std::uint64_t count, SystemTime created) {
    auto session = store.begin_write();
    store::PutScratch scratch;
    store::Sha256 namer_scratch;
    store::Sha256 file_hash;
    vault::FileEntry file;
    file.path = k_file;
    file.format = "unknown";
    file.mtime_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(created.time_since_epoch()).count();
    file.chunks.reserve(count);
    std::uint8_t chunk[k_chunk_bytes];
    for (std::uint64_t n = first; n < first + count; ++n) {
        make_chunk(n, namer_scratch, chunk);
        const auto put = session->put(chunk, {}, scratch);
        if (!put.stored) {
            throw Error("chunk " + std::to_string(n) + " was already stored: not distinct");
        }
        file.chunks.push_back({put.id, k_chunk_bytes});
        file_hash.update(chunk, k_chunk_bytes);
    }
    file.size = count * k_chunk_bytes;
    file.chunk_count = file.chunks.size();
    file.sha256 = file_hash.hex_digest();
    vault::Manifest manifest = draft(index, created);
    manifest.files.push_back(std::move(file));
    manifest.storage.new_chunks = session->new_chunks();
    manifest.storage.new_bytes = session->commit();
    value_or_throw(vault::write_manifest_file(options.vault, options.vault / "tmp", manifest),
                   "cannot write the manifest: ");
    session->finish();
}

std::size_t files_under(const stdfs::path& folder) {
    std::size_t files = 0;
    for (const auto& entry : stdfs::recursive_directory_iterator(folder)) {
        files += entry.is_regular_file() ? 1 : 0;
    }
    return files;
}

void run(const Options& options) {
    const auto start = SteadyClock::now();
    // Vault::open makes an empty vault of format 2; closing it releases its lock.
    vault::Vault::open({options.vault, {}, true, "bench"}, system_clock()).reset();
    // A blob is stored raw (k_chunk_bytes) and a pack closes once its size reaches the
    // target: the 8-byte lead makes that happen at exactly per_pack blobs.
    auto store = store::Store::open(
        {options.vault, options.vault / "tmp", {}, true, options.per_pack * k_chunk_bytes});
    const SystemTime created =
        std::chrono::time_point_cast<std::chrono::seconds>(system_clock().now());
    std::uint64_t versions = 0;
    for (std::uint64_t first = 0; first < options.chunks; first += options.per_version) {
        const std::uint64_t count = std::min(options.per_version, options.chunks - first);
        write_version(*store, options, versions, first, count, created);
        ++versions;
        if (versions % 20 == 0) {
            std::printf("%llu chunks in %llu versions\n",
                        static_cast<unsigned long long>(first + count),
                        static_cast<unsigned long long>(versions));
            std::fflush(stdout);
        }
    }
    const auto stats = store->stats();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    std::printf("vault %s: %zu chunks, %zu packs, %zu index files, %llu manifests, "
                "%llu pack bytes, written in %.1f s\n",
                options.vault.string().c_str(), stats.chunks, stats.packs,
                files_under(options.vault / "index"), static_cast<unsigned long long>(versions),
                static_cast<unsigned long long>(stats.stored_bytes), seconds);
}

} // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    try {
        run(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mv_million_chunks: %s\n", e.what());
        return 1;
    }
    return 0;
}
