#include "store/sealing.hpp"

namespace mv::store {

Sealing::Sealing(std::shared_ptr<const crypto::MasterKey> key) : m_key(std::move(key)) {}

void Sealing::seal_blob(const ChunkId& id, std::span<const std::uint8_t> stored,
                        std::vector<std::uint8_t>& out) const {
    if (!m_key) {
        out.insert(out.end(), stored.begin(), stored.end());
        return;
    }
    crypto::seal_append(m_key->data_key(), stored,
                        crypto::associated_data(crypto::Role::chunk, id.bytes), out);
}

Result<std::span<const std::uint8_t>> Sealing::open_blob(const ChunkId& id,
                                                         std::span<const std::uint8_t> blob,
                                                         std::vector<std::uint8_t>& scratch) const {
    if (!m_key) {
        return blob;
    }
    auto plain = crypto::open(m_key->data_key(), blob,
                              crypto::associated_data(crypto::Role::chunk, id.bytes));
    if (!plain) {
        return failure(plain.error());
    }
    scratch = std::move(*plain);
    return std::span<const std::uint8_t>(scratch);
}

std::vector<std::uint8_t> Sealing::seal(crypto::Role role, std::span<const std::uint8_t> identity,
                                        std::span<const std::uint8_t> plain) const {
    if (!m_key) {
        return {plain.begin(), plain.end()};
    }
    return crypto::seal(m_key->data_key(), plain, crypto::associated_data(role, identity));
}

Result<std::vector<std::uint8_t>> Sealing::open(crypto::Role role,
                                                std::span<const std::uint8_t> identity,
                                                std::span<const std::uint8_t> stored) const {
    if (!m_key) {
        return std::vector<std::uint8_t>(stored.begin(), stored.end());
    }
    return crypto::open(m_key->data_key(), stored, crypto::associated_data(role, identity));
}

ChunkId KeyedNamer::name(std::span<const std::uint8_t> data) const {
    return ChunkId{m_hash(data)};
}

} // namespace mv::store
