#pragma once
// Reading chunks back, verified: each chunk is decoded and must hash to its name. Keeps a
// few pack files open. One reader per thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/byte_buffer.hpp"
#include "store/codec.hpp"
#include "store/store.hpp"
#include "util/fd.hpp"

namespace mv::store {

class ChunkReader {
public:
    explicit ChunkReader(const Store& store);

    /// The bytes of chunk `id` (expected to be `size` bytes long) in `out`. Throws
    /// Error(corrupt) saying what is wrong — not in the index, its pack missing or
    /// short, undecodable, or not hashing to its name — naming the chunk and its pack.
    void read(const ChunkId& id, std::uint64_t size, ByteBuffer& out);

    /// Without reading it: empty when chunk `id` is indexed and its pack exists and is
    /// large enough; otherwise what is wrong.
    std::string check(const ChunkId& id, std::uint64_t size);

private:
    int pack_fd(const PackId& pack, bool reopen);
    std::string read_copy(const ChunkId& id, const ChunkLocation& location, std::uint64_t size,
                          ByteBuffer& out);

    const Store& m_store;
    CodecContext m_codec;
    ByteBuffer m_stored;
    std::vector<std::uint8_t> m_unsealed; ///< the opened blob (encrypted vaults)
    std::map<PackId, UniqueFd> m_open;
    std::map<PackId, std::uint64_t> m_sizes; ///< pack sizes seen by check()
};

} // namespace mv::store
