#pragma once
// A version as a plain tar stream (docs/FORMAT.md "The version as a tar stream"):
// manifest.json first, then model/<path> and sidecars/<path>, then README.md — the layout
// of format 1's archives. The daemon sends it to modelvaultctl for restore and export;
// `export` compresses it into an archive that `tar --zstd -xf` opens.

#include <cstddef>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"
#include "util/error.hpp"
#include "util/time.hpp"
#include "vault/extract.hpp"
#include "vault/manifest.hpp"
#include "vault/version_reader.hpp"

struct archive;

namespace mv::vault {

/// Receives the stream's bytes; throws to abandon it.
using TarSink = std::function<void(const char* data, std::size_t size)>;

/// How member names are written. With `binary`, every member gets a pax header saying
/// `hdrcharset=BINARY`, which keeps any byte sequence exact but makes GNU tar print a
/// warning per member; `ascii` writes plain ustar headers (pax only for long names).
enum class MemberNames { ascii, binary };

/// `binary` when any name holds a byte outside ASCII, else `ascii`.
MemberNames member_names_for(const std::vector<std::string>& names);

/// Writes tar members to a sink with libarchive (no compression).
class TarWriter {
public:
    TarWriter(TarSink sink, MemberNames names);
    ~TarWriter();
    TarWriter(const TarWriter&) = delete;
    TarWriter& operator=(const TarWriter&) = delete;

    /// Starts a regular file member of `size` bytes.
    void begin(const std::string& member, std::uint64_t size, unsigned mode, std::int64_t mtime_ns);
    void write(const void* data, std::size_t size);
    /// Writes the end-of-archive blocks.
    void finish();

private:
    static long on_write(struct archive*, void* self, const void* data, std::size_t size);
    [[noreturn]] void fail(std::string_view what) const;

    TarSink m_sink;
    std::unique_ptr<struct archive, int (*)(struct archive*)> m_archive;
    std::string m_error;
    ErrorCode m_code = ErrorCode::io; ///< of the sink's failure
    bool m_failed = false;
    bool m_finished = false;
};

/// Writes version `manifest` (loaded with its chunk lists) from `store` as a tar stream to
/// `sink`, every chunk verified. Throws Error(corrupt) naming the model, version, file and
/// chunk when the store cannot give a file back; Error(cancelled) on `stop`. A non-empty
/// `signature` (Vault::signature_of()) follows manifest.json as signature.json.
/// `whole_files`: see FileHashCheck.
void write_version_tar(const store::Store& store, const Manifest& manifest, Members members,
                       const TarSink& sink, const std::stop_token& stop,
                       std::string_view signature = {},
                       FileHashCheck whole_files = FileHashCheck::here);

} // namespace mv::vault
