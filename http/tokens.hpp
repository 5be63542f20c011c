#pragma once
// The bearer tokens of the HTTP server (docs/HTTP.md, "Tokens"): a file of lines
// `read TOKEN` or `write TOKEN`, which only its owner may read (mode 0600), as ssh
// refuses a private key that others can read.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mv::http {

/// What a token lets its holder do: the read commands, or every command (as the
/// `access.read` and `access.write` lists do for socket users).
enum class Grant { read, write };

/// Whose token a request showed: its grant and its line in the file (the audit log and
/// the daemon's log name requests "http token on line N").
struct TokenHolder {
    Grant grant = Grant::read;
    std::size_t line = 0;
};

class Tokens {
public:
    /// Parses the file's text; throws Error (invalid_argument) naming `source` and the line
    /// of the first problem: an unknown grant, a token shorter than 16 characters or with
    /// characters outside [A-Za-z0-9._~+/=-], a token listed twice. `#` starts a comment.
    static Tokens parse(std::string_view text, const std::string& source);
    /// Reads and parses `file`; throws Error when it is not a regular file, can be read or
    /// written by its group or others (the message says `chmod 600`), or does not parse.
    static Tokens load(const std::filesystem::path& file);

    /// The holder of `presented`, or nullopt when no line has it. Compares in time that
    /// does not depend on where the first difference is.
    std::optional<TokenHolder> find(std::string_view presented) const;
    /// A token with `grant`, if the file has one (the address the daemon logs at start).
    std::optional<std::string> any_with(Grant grant) const;
    std::size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        TokenHolder holder;
        std::string token;
    };
    std::vector<Entry> m_entries;
};

/// The token of an `Authorization: Bearer TOKEN` header value, or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);

} // namespace mv::http
