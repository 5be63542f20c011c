#include "http/tokens.hpp"

#include <cctype>
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::http {

namespace {

// Shorter tokens can be guessed by a local process trying them (docs/HTTP.md).
constexpr std::size_t k_min_token_length = 16;
constexpr std::size_t k_max_file_size = 1u << 20;

bool is_token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("._~+/=-").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(" \t\r");
    return text.substr(begin, end - begin + 1);
}

} // namespace

Tokens Tokens::parse(std::string_view text, const std::string& source) {
    Tokens tokens;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto newline = text.find('\n');
        std::string_view line = trim(text.substr(0, newline));
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto fail = [&](const std::string& what) {
            return Error(fmt::format("{}:{}: {}; each line is `read TOKEN` or `write TOKEN` "
                                     "(docs/HTTP.md, \"Tokens\")",
                                     source, line_number, what),
                         ErrorCode::invalid_argument);
        };
        const auto space = line.find_first_of(" \t");
        const std::string_view word = line.substr(0, space);
        const std::string_view token =
            space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
        Entry entry{{Grant::read, line_number}, std::string(token)};
        if (word == "write") {
            entry.holder.grant = Grant::write;
        } else if (word != "read") {
            throw fail(fmt::format("unknown access \"{}\"", word));
        }
        if (token.size() < k_min_token_length) {
            throw fail(fmt::format("the token is {} characters long, it needs at least {} "
                                   "(make one with `openssl rand -hex 32`)",
                                   token.size(), k_min_token_length));
        }
        for (const char c : token) {
            if (!is_token_char(c)) {
                throw fail("the token may hold only letters, digits and ._~+/=-");
            }
        }
        if (tokens.find(token)) {
            throw fail("the token is listed twice");
        }
        tokens.m_entries.push_back(std::move(entry));
    }
    return tokens;
}

Tokens Tokens::load(const std::filesystem::path& file) {
    // The mode is checked on the descriptor that is then read: no swap in between.
    auto fd = fs::open_for_reading(file);
    if (!fd) {
        throw Error(fmt::format("cannot read the HTTP tokens file: {}", fd.error()), ErrorCode::io);
    }
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) {
        throw Error(errno_message("cannot stat the HTTP tokens file " + file.string(), errno),
                    ErrorCode::io);
    }
    if ((st.st_mode & 077) != 0) {
        throw Error(fmt::format("the HTTP tokens file {} has mode {:04o}: other users could read "
                                "the tokens; run `chmod 600 {}`",
                                file.string(), st.st_mode & 07777, file.string()),
                    ErrorCode::forbidden);
    }
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(fd->get(), buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw Error(errno_message("cannot read the HTTP tokens file " + file.string(), errno),
                        ErrorCode::io);
        }
        if (got == 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(got));
        if (text.size() > k_max_file_size) {
            throw Error(fmt::format("the HTTP tokens file {} is larger than 1 MiB", file.string()),
                        ErrorCode::invalid_argument);
        }
    }
    return parse(text, file.string());
}

std::optional<TokenHolder> Tokens::find(std::string_view presented) const {
    std::optional<TokenHolder> found;
    for (const Entry& entry : m_entries) {
        // Every entry is compared, and each comparison in constant time: how long an
        // answer takes says nothing about how much of a guess was right.
        if (entry.token.size() == presented.size() &&
            CRYPTO_memcmp(entry.token.data(), presented.data(), presented.size()) == 0) {
            found = entry.holder;
        }
    }
    return found;
}

std::optional<std::string> Tokens::any_with(Grant grant) const {
    for (const Entry& entry : m_entries) {
        if (entry.holder.grant == grant) {
            return entry.token;
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "Bearer ";
    if (authorization.size() <= scheme.size()) {
        return std::nullopt;
    }
    // The scheme is case-insensitive (RFC 9110, section 11.1).
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
            std::tolower(static_cast<unsigned char>(scheme[i]))) {
            return std::nullopt;
        }
    }
    const std::string_view token = trim(authorization.substr(scheme.size()));
    return token.empty() ? std::nullopt : std::optional<std::string_view>(token);
}

} // namespace mv::http
