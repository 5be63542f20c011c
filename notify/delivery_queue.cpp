#include "notify/delivery_queue.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::notify {

namespace {

namespace stdfs = std::filesystem;

std::string to_text(const QueuedDelivery& delivery) {
    return nlohmann::json{{"url", delivery.url},
                          {"event", delivery.event},
                          {"delivery", delivery.delivery},
                          {"created", format_utc(delivery.created)},
                          {"body", delivery.body}}
        .dump();
}

// The sequence number in "00000000000000000042.json", or 0 for any other name.
std::uint64_t sequence_of(const stdfs::path& file) {
    const std::string name = file.filename().string();
    if (name.size() != 25 || !name.ends_with(".json")) {
        return 0;
    }
    std::uint64_t sequence = 0;
    for (std::size_t i = 0; i < 20; ++i) {
        if (name[i] < '0' || name[i] > '9') {
            return 0;
        }
        sequence = sequence * 10 + static_cast<std::uint64_t>(name[i] - '0');
    }
    return sequence;
}

std::optional<QueuedDelivery> from_text(const std::string& text, std::uint64_t sequence) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (!json.is_object()) {
        return std::nullopt;
    }
    try {
        auto created = parse_time(json.at("created").get<std::string>());
        if (!created) {
            return std::nullopt;
        }
        return QueuedDelivery{sequence,
                              json.at("url").get<std::string>(),
                              json.at("event").get<std::string>(),
                              json.at("delivery").get<std::string>(),
                              *created,
                              json.at("body").get<std::string>()};
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

} // namespace

std::uint64_t delivery_size(const QueuedDelivery& delivery) {
    return delivery.body.size() + delivery.url.size();
}

DeliveryQueue::DeliveryQueue(stdfs::path dir, std::size_t max_entries, std::uint64_t max_bytes)
    : m_dir(std::move(dir)), m_max_entries(max_entries), m_max_bytes(max_bytes) {
    value_or_throw(fs::create_directories_durable(m_dir), "webhook queue: ");
    load();
}

stdfs::path DeliveryQueue::file_of(std::uint64_t sequence) const {
    return m_dir / fmt::format("{:020}.json", sequence);
}

void DeliveryQueue::load() {
    std::error_code error;
    for (const auto& entry : stdfs::directory_iterator(m_dir, error)) {
        const stdfs::path& file = entry.path();
        const std::uint64_t sequence = sequence_of(file);
        std::optional<QueuedDelivery> delivery;
        if (sequence != 0) {
            if (auto text = fs::read_file(file, 2 * m_max_bytes, false)) {
                delivery = from_text(*text, sequence);
            }
        }
        if (!delivery && file.filename().string().starts_with('.')) {
            (void)fs::remove_durable(file); // the temporary file of a write a crash cut short
            continue;
        }
        if (!delivery) {
            spdlog::warn("webhook queue: removing {}, which is not a delivery this version can "
                         "read",
                         file.string());
            (void)fs::remove_durable(file);
            continue;
        }
        m_bytes += delivery_size(*delivery);
        m_next = std::max(m_next, sequence + 1);
        m_entries.emplace(sequence, std::move(*delivery));
    }
    if (error) {
        throw Error(errno_message("webhook queue: cannot list " + m_dir.string(), error.value()),
                    ErrorCode::io);
    }
}

std::vector<QueuedDelivery> DeliveryQueue::push(QueuedDelivery delivery) {
    std::vector<QueuedDelivery> dropped;
    const std::uint64_t size = delivery_size(delivery);
    while (!m_entries.empty() &&
           (m_entries.size() + 1 > m_max_entries || m_bytes + size > m_max_bytes)) {
        dropped.push_back(m_entries.begin()->second);
        remove(m_entries.begin()->first);
    }
    delivery.sequence = m_next++;
    value_or_throw(
        fs::write_file_atomic(file_of(delivery.sequence), to_text(delivery), m_dir, 0600),
        "webhook queue: ", ErrorCode::io);
    m_bytes += size;
    m_entries.emplace(delivery.sequence, std::move(delivery));
    return dropped;
}

void DeliveryQueue::remove(std::uint64_t sequence) {
    const auto it = m_entries.find(sequence);
    if (it == m_entries.end()) {
        return;
    }
    if (auto removed = fs::remove_durable(file_of(sequence)); !removed) {
        spdlog::warn("webhook queue: {}", removed.error());
    }
    m_bytes -= delivery_size(it->second);
    m_entries.erase(it);
}

} // namespace mv::notify
